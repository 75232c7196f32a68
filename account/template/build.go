package template

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/account/template/managed"
)

// builder turns the evaluated resources into the model.
type builder struct {
	t     *tmpl
	fns   []*account.Function
	byARN map[string]*account.Function // unqualified ARN
	roles map[string]*account.Role     // by ARN
	// perms collects the resource-policy statements per function ARN and
	// qualifier.
	perms    map[string]map[string][]string
	policies map[string]map[string]string // AWS::Lambda::ResourcePolicy documents
	deferred []func()                     // run once every function is known
	res      *Result
	// externalRoles and externalPolicies are the ARNs of Result's
	// ExternalRoles and ExternalPolicies.
	externalRoles, externalPolicies map[string]bool
}

func (t *tmpl) build() (*Result, error) {
	b := &builder{t: t, byARN: map[string]*account.Function{}, roles: map[string]*account.Role{},
		perms: map[string]map[string][]string{}, policies: map[string]map[string]string{},
		externalRoles: map[string]bool{}, externalPolicies: map[string]bool{}}
	b.res = &Result{File: t.file, SAM: t.sam, Resources: map[string]Resource{}, RoleSources: map[string]account.Location{},
		Origin: account.Origin{Account: t.opts.Account, Region: t.opts.Region, Partition: t.part}}
	var live []*resource
	for _, id := range t.order {
		r := t.resources[id]
		b.res.Resources[id] = Resource{Type: r.typ, Location: t.location(r)}
		if strings.HasPrefix(r.typ, "AWS::Serverless::") && t.sam {
			continue // expanded into the resources SAM generates
		}
		ex, err := t.exists(r)
		if err != nil {
			return nil, err
		}
		r.exists = ex
		if ex == triFalse {
			continue
		}
		if _, err := t.properties(r); err != nil {
			return nil, err
		}
		live = append(live, r)
	}
	steps := []func(*resource) error{b.function, b.role, b.rolePolicies, b.lambdaParts, b.triggers}
	for _, step := range steps {
		for _, r := range live {
			prev := t.current
			t.current = r
			err := step(r)
			t.current = prev
			if err != nil {
				return nil, err
			}
		}
	}
	b.finish()
	b.res.Functions = b.fns
	b.res.Unknowns = t.unknowns
	b.res.ExternalRoles = sortedIDs(b.externalRoles)
	b.res.ExternalPolicies = sortedIDs(b.externalPolicies)
	b.res.Filled = t.filled
	b.res.KeptDefaults = t.kept
	return b.res, nil
}

func (b *builder) errAt(r *resource, prop string, format string, args ...any) error {
	path := "Resources." + r.id + ".Properties"
	n := r.raw.get("Properties")
	if prop != "" {
		path += "." + prop
		if p := r.prop(prop); p != nil {
			n = p
		}
	}
	if n == nil {
		n = r.raw
	}
	return b.t.errAt(n, path, format, args...)
}

// function reads an AWS::Lambda::Function.
func (b *builder) function(r *resource) error {
	if r.typ != "AWS::Lambda::Function" {
		return nil
	}
	t := b.t
	p := r.props
	name, err := t.name(r, types[r.typ])
	if err != nil {
		return err
	}
	loc := t.location(r)
	f := &account.Function{Name: name, Account: t.accountID(), Region: t.region(), Partition: t.part, Source: &loc}
	f.ARN = t.arn("lambda", "function:"+name)
	c := &f.Config
	c.Runtime = p.get("Runtime").text()
	c.Handler = p.get("Handler").text()
	c.RoleARN = p.get("Role").text()
	if p.get("Role") == nil {
		return b.errAt(r, "", "an AWS::Lambda::Function needs a Role")
	}
	c.PackageType = p.get("PackageType").text()
	if uri := p.path("Code", "ImageUri").text(); uri != "" {
		c.ImageURI = uri
		if c.PackageType == "" {
			c.PackageType = "Image"
		}
	}
	if c.PackageType == "" {
		c.PackageType = "Zip"
	}
	c.Architectures = p.get("Architectures").strings()
	if len(c.Architectures) == 0 {
		c.Architectures = []string{"x86_64"}
	}
	c.Version = "$LATEST"
	if vars := p.path("Environment", "Variables"); vars != nil && vars.kind == kMap {
		// Names only: a snapshot never holds environment values.
		c.EnvironmentKeys = vars.sortedKeys()
	}
	c.KMSKeyARN = p.get("KmsKeyArn").text()
	if v := p.get("VpcConfig"); v != nil && v.kind == kMap {
		sub, sg := v.get("SubnetIds").strings(), v.get("SecurityGroupIds").strings()
		if len(sub) > 0 || len(sg) > 0 {
			c.VPC = &account.VPCConfig{SubnetIDs: sub, SecurityGroupIDs: sg}
		}
	}
	c.DeadLetterTarget = p.path("DeadLetterConfig", "TargetArn").text()
	c.TracingMode = p.path("TracingConfig", "Mode").text()
	if c.TracingMode == "" {
		c.TracingMode = "PassThrough"
	}
	c.Logging.LogGroup = "/aws/lambda/" + name
	c.Logging.LogFormat = p.path("LoggingConfig", "LogFormat").text()
	if c.Logging.LogFormat == "" {
		c.Logging.LogFormat = "Text"
	}
	if g := p.path("LoggingConfig", "LogGroup").text(); g != "" && g != c.Logging.LogGroup {
		c.Logging.LogGroup, c.Logging.Custom = g, true
	}
	c.Layers = p.get("Layers").strings()
	if fs := p.get("FileSystemConfigs"); fs != nil && fs.kind == kList {
		for _, x := range fs.list {
			c.FileSystems = append(c.FileSystems, account.FileSystem{ARN: x.get("Arn").text(), LocalMountPath: x.get("LocalMountPath").text()})
		}
	}
	if r.exists == triUnknown {
		b.unseenFor(f, r.id, "the function exists only when condition "+r.raw.get("Condition").text()+" holds, which depends on a value the template does not give")
	}
	for _, n := range t.notes[r.id] {
		b.unseenFor(f, r.id, n)
	}
	if b.byARN[f.ARN] != nil {
		return b.errAt(r, "FunctionName", "two functions are named %s", name)
	}
	b.byARN[f.ARN] = f
	b.fns = append(b.fns, f)
	return nil
}

func (b *builder) unseenFor(f *account.Function, resource, msg string) {
	for _, u := range f.Unseen {
		if u.Operation == "template" && u.Resource == resource && u.Error == msg {
			return
		}
	}
	f.Unseen = append(f.Unseen, account.Unseen{Operation: "template", Resource: resource, Error: msg})
}

// role reads an AWS::IAM::Role with its own policies.
func (b *builder) role(r *resource) error {
	if r.typ != "AWS::IAM::Role" {
		return nil
	}
	t := b.t
	p := r.props
	name, err := t.name(r, types[r.typ])
	if err != nil {
		return err
	}
	arnN, err := t.attResource(r, "Arn", r.raw, "Resources."+r.id)
	if err != nil {
		return err
	}
	path := p.get("Path").text()
	if path == "" {
		path = "/"
	}
	role := &account.Role{ARN: arnN.str, Name: name, Path: path, Trust: document(p.get("AssumeRolePolicyDocument"))}
	if pols := p.get("Policies"); pols != nil && pols.kind == kList {
		for _, x := range pols.list {
			role.Inline = append(role.Inline, account.InlinePolicy{Name: x.get("PolicyName").text(), Document: document(x.get("PolicyDocument"))})
		}
	}
	for _, a := range p.get("ManagedPolicyArns").strings() {
		role.Managed = append(role.Managed, b.managedPolicy(a))
	}
	if pb := p.get("PermissionsBoundary").text(); pb != "" {
		mp := b.managedPolicy(pb)
		role.Boundary = &mp
	}
	if tags := p.get("Tags"); tags != nil && tags.kind == kList {
		for _, tg := range tags.list {
			if role.Tags == nil {
				role.Tags = map[string]string{}
			}
			role.Tags[tg.get("Key").text()] = tg.get("Value").text()
		}
	}
	b.roles[role.ARN] = role
	b.res.RoleSources[role.ARN] = t.location(r)
	return nil
}

// document turns an evaluated policy document (a map, or a JSON string)
// into compact JSON text.
func document(n *node) string {
	if n == nil {
		return ""
	}
	if n.kind == kString {
		return account.CompactDocument(n.str)
	}
	return n.toJSON()
}

// managedPolicy resolves a managed policy ARN: one defined in the
// template, an AWS managed policy from the embedded data, else one whose
// document is unknown.
func (b *builder) managedPolicy(arn string) account.ManagedPolicy {
	t := b.t
	mp := account.ManagedPolicy{ARN: arn, Name: arn[strings.LastIndex(arn, "/")+1:]}
	for _, id := range t.order {
		r := t.resources[id]
		if r.typ != "AWS::IAM::ManagedPolicy" || !r.done || r.exists == triFalse {
			continue
		}
		a, err := t.attResource(r, "PolicyArn", r.raw, "Resources."+id)
		if err != nil || a.str != arn {
			continue
		}
		name, _ := t.name(r, types[r.typ])
		mp.Name = name
		mp.Document = document(r.props.get("PolicyDocument"))
		return mp
	}
	if account.ARNField(arn, 4) == "aws" {
		if p, ok := managed.Lookup(arn); ok {
			mp.Name, mp.VersionID, mp.Document = p.Name, p.VersionID, p.Document
			return mp
		}
	}
	if p, ok := t.opts.ManagedPolicies[arn]; ok && p.Document != "" {
		t.fill("ManagedPolicy", arn)
		p.ARN = arn
		return p
	}
	if !account.HasMarker(arn) && strings.HasPrefix(arn, "arn:") {
		b.externalPolicies[arn] = true
	}
	return mp
}

// outsideRole is the role arn names when the template does not define it:
// one read from the account (Options.Roles), else nil, and arn is listed
// in Result.ExternalRoles when it holds no unknown or generated value.
func (b *builder) outsideRole(f *account.Function, arn string) *account.Role {
	if arn == "" {
		return nil
	}
	if r := b.t.opts.Roles[arn]; r.Role != nil {
		b.t.fill("Role", arn)
		f.Unseen = append(f.Unseen, r.Unseen...)
		return r.Role
	}
	if !account.HasMarker(arn) && strings.HasPrefix(arn, "arn:") && strings.HasPrefix(account.ARNField(arn, 5), "role/") {
		b.externalRoles[arn] = true
	}
	return nil
}

// rolePolicies attaches AWS::IAM::Policy, AWS::IAM::RolePolicy and the
// Roles of AWS::IAM::ManagedPolicy to the template's roles.
func (b *builder) rolePolicies(r *resource) error {
	t := b.t
	var roleNames []string
	switch r.typ {
	case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
		roleNames = r.props.get("Roles").strings()
	case "AWS::IAM::RolePolicy":
		roleNames = []string{r.props.get("RoleName").text()}
	default:
		return nil
	}
	for _, rn := range roleNames {
		role := b.roleByName(rn)
		if role == nil {
			continue // a role outside the template
		}
		switch r.typ {
		case "AWS::IAM::ManagedPolicy":
			a, err := t.attResource(r, "PolicyArn", r.raw, "Resources."+r.id)
			if err != nil {
				return err
			}
			role.Managed = append(role.Managed, b.managedPolicy(a.str))
		default:
			role.Inline = append(role.Inline, account.InlinePolicy{Name: r.props.get("PolicyName").text(), Document: document(r.props.get("PolicyDocument"))})
		}
	}
	return nil
}

func (b *builder) roleByName(name string) *account.Role {
	if strings.HasPrefix(name, "arn:") {
		return b.roles[name]
	}
	for _, role := range b.roles {
		if role.Name == name {
			return role
		}
	}
	return nil
}

// fnFor finds the template function a function reference names, with the
// qualifier; nil when the function is not in the template.
func (b *builder) fnFor(ref string) (*account.Function, string) {
	if ref == "" {
		return nil, ""
	}
	full := b.t.functionARN(ref)
	base, q := account.SplitQualifier(full)
	if q == "$LATEST" {
		q = ""
	}
	if f := b.byARN[base]; f != nil {
		return f, q
	}
	if f := b.byARN[full]; f != nil {
		return f, ""
	}
	return nil, ""
}

// lambdaParts reads the resources that belong to a function: permissions,
// resource policies, URLs, event source mappings, event invoke configs,
// versions and aliases.
func (b *builder) lambdaParts(r *resource) error {
	t := b.t
	p := r.props
	switch r.typ {
	case "AWS::Lambda::Permission":
		f, q := b.fnFor(p.get("FunctionName").text())
		if f == nil {
			return nil
		}
		b.addStatement(f, q, permissionStatement(t, r, f, q))
	case "AWS::Lambda::ResourcePolicy":
		f, q := b.fnFor(p.get("ResourceArn").text())
		if f == nil {
			return nil
		}
		if b.policies[f.ARN] == nil {
			b.policies[f.ARN] = map[string]string{}
		}
		b.policies[f.ARN][q] = document(p.get("PolicyDocument"))
	case "AWS::Lambda::Url":
		f, q := b.fnFor(p.get("TargetFunctionArn").text())
		if f == nil {
			return nil
		}
		if x := p.get("Qualifier").text(); x != "" && x != "$LATEST" {
			q = x
		}
		u, err := t.attResource(r, "FunctionUrl", r.raw, "Resources."+r.id)
		if err != nil {
			return err
		}
		f.URLConfigs = append(f.URLConfigs, account.URLConfig{Qualifier: q, URL: u.str, AuthType: p.get("AuthType").text()})
	case "AWS::Lambda::EventSourceMapping":
		fnRef := p.get("FunctionName").text()
		f, _ := b.fnFor(fnRef)
		if f == nil {
			return nil
		}
		es := account.EventSource{UUID: t.opts.PhysicalIDs[r.id], EventSourceARN: p.get("EventSourceArn").text(),
			State: "Enabled", FunctionARN: t.functionARN(fnRef)}
		if es.UUID == "" {
			es.UUID = generated("UUID", r.id)
		}
		if en := p.get("Enabled"); en != nil && !en.boolean() {
			es.State = "Disabled"
		}
		f.EventSources = append(f.EventSources, es)
	case "AWS::Lambda::EventInvokeConfig":
		f, _ := b.fnFor(p.get("FunctionName").text())
		if f == nil {
			return nil
		}
		q := p.get("Qualifier").text()
		if q == "$LATEST" {
			q = ""
		}
		f.AsyncConfigs = append(f.AsyncConfigs, account.AsyncConfig{Qualifier: q,
			OnSuccess: p.path("DestinationConfig", "OnSuccess", "Destination").text(),
			OnFailure: p.path("DestinationConfig", "OnFailure", "Destination").text()})
	case "AWS::Lambda::Version":
		f, _ := b.fnFor(p.get("FunctionName").text())
		if f == nil {
			return nil
		}
		v, err := t.attResource(r, "Version", r.raw, "Resources."+r.id)
		if err != nil {
			return err
		}
		f.Versions = append(f.Versions, v.str)
	case "AWS::Lambda::Alias":
		f, _ := b.fnFor(p.get("FunctionName").text())
		if f == nil {
			return nil
		}
		name := p.get("Name").text()
		f.Aliases = append(f.Aliases, account.Alias{Name: name, ARN: f.ARN + ":" + name, FunctionVersion: p.get("FunctionVersion").text()})
	case "AWS::Logs::LogGroup":
		name, err := t.name(r, types[r.typ])
		if err != nil {
			return err
		}
		for _, f := range b.fns {
			if f.Config.Logging.LogGroup != name {
				continue
			}
			lg := account.LogGroup{Name: name, ARN: t.arn("logs", "log-group:"+name+":*"), Exists: true, KMSKeyID: p.get("KmsKeyId").text()}
			if d := p.get("RetentionInDays").text(); d != "" {
				for _, ch := range d {
					if ch < '0' || ch > '9' {
						lg.RetentionDays = 0
						break
					}
					lg.RetentionDays = lg.RetentionDays*10 + int(ch-'0')
				}
			}
			f.LogGroups = append(f.LogGroups, lg)
		}
	}
	return nil
}

func (b *builder) addStatement(f *account.Function, q, stmt string) {
	if b.perms[f.ARN] == nil {
		b.perms[f.ARN] = map[string][]string{}
	}
	b.perms[f.ARN][q] = append(b.perms[f.ARN][q], stmt)
}

// permissionStatement is the statement Lambda's AddPermission writes for an
// AWS::Lambda::Permission (Lambda API reference, AddPermission; the policy
// GetPolicy returns): the service, account or ARN principal, the function
// (or qualified) ARN as Resource, and a condition per scoping property.
// The statement id is the logical id (CloudFormation makes its own).
func permissionStatement(t *tmpl, r *resource, f *account.Function, q string) string {
	p := r.props
	st := newMap().set("Sid", str(r.id)).set("Effect", str("Allow"))
	principal := p.get("Principal").text()
	switch {
	case principal == "*":
		st.set("Principal", str("*"))
	case account.IsAccountID(principal):
		st.set("Principal", newMap().set("AWS", str("arn:"+t.part+":iam::"+principal+":root")))
	case strings.HasPrefix(principal, "arn:"):
		st.set("Principal", newMap().set("AWS", str(principal)))
	default:
		st.set("Principal", newMap().set("Service", str(principal)))
	}
	st.set("Action", str(p.get("Action").text()))
	resource := f.ARN
	if q != "" {
		resource += ":" + q
	}
	st.set("Resource", str(resource))
	cond := newMap()
	se := newMap()
	if a := p.get("SourceAccount").text(); a != "" {
		se.set("AWS:SourceAccount", str(a))
	}
	if o := p.get("PrincipalOrgID").text(); o != "" {
		se.set("aws:PrincipalOrgID", str(o))
	}
	if a := p.get("FunctionUrlAuthType").text(); a != "" {
		se.set("lambda:FunctionUrlAuthType", str(a))
	}
	if tok := p.get("EventSourceToken").text(); tok != "" {
		se.set("lambda:EventSourceToken", str(tok))
	}
	if len(se.keys) > 0 {
		cond.set("StringEquals", se)
	}
	if v := p.get("InvokedViaFunctionUrl"); v != nil && v.boolean() {
		cond.set("Bool", newMap().set("lambda:InvokedViaFunctionUrl", str("true")))
	}
	if a := p.get("SourceArn").text(); a != "" {
		cond.set("ArnLike", newMap().set("AWS:SourceArn", str(a)))
	}
	if len(cond.keys) > 0 {
		st.set("Condition", cond)
	}
	return st.toJSON()
}

// finish assembles resource policies, attaches roles and records unknowns.
func (b *builder) finish() {
	t := b.t
	for _, d := range b.deferred {
		d()
	}
	sortedRoles := map[*account.Role]bool{}
	for _, f := range b.fns {
		qs := map[string]bool{}
		for q := range b.perms[f.ARN] {
			qs[q] = true
		}
		for q := range b.policies[f.ARN] {
			qs[q] = true
		}
		for _, q := range sortedIDs(qs) {
			doc, ok := b.policies[f.ARN][q]
			if ok && len(b.perms[f.ARN][q]) > 0 {
				// PutResourcePolicy "replaces any existing policy"; which of
				// the two CloudFormation applies last is not in the template.
				b.unseenFor(f, f.ARN, "both AWS::Lambda::ResourcePolicy and AWS::Lambda::Permission set the resource policy of qualifier "+qualifierName(q)+"; the one applied last replaces the other (the model keeps the ResourcePolicy)")
			}
			if !ok {
				// CloudFormation adds the permissions in no set order: the
				// model keeps them by statement id.
				stmts := append([]string(nil), b.perms[f.ARN][q]...)
				sort.Strings(stmts) // each begins {"Sid":"LOGICAL_ID"
				doc = `{"Version":"2012-10-17","Id":"default","Statement":[` + strings.Join(stmts, ",") + `]}`
			}
			f.ResourcePolicies = append(f.ResourcePolicies, account.ResourcePolicy{Qualifier: q, Document: doc})
		}
		if role := b.roles[f.Config.RoleARN]; role != nil {
			f.Role = role
		} else if role := b.outsideRole(f, f.Config.RoleARN); role != nil {
			f.Role = role
		} else if f.Config.RoleARN != "" {
			b.unseenFor(f, f.Config.RoleARN, "the execution role is not defined in the template")
		}
		if r := f.Role; r != nil && !sortedRoles[r] {
			// As the live reader lists them: managed by ARN, inline by name.
			sortedRoles[r] = true
			sort.SliceStable(r.Managed, func(i, j int) bool { return r.Managed[i].ARN < r.Managed[j].ARN })
			sort.SliceStable(r.Inline, func(i, j int) bool { return r.Inline[i].Name < r.Inline[j].Name })
		}
		if f.Role != nil {
			for _, mp := range append(append([]account.ManagedPolicy(nil), f.Role.Managed...), boundaryList(f.Role)...) {
				if mp.Document == "" {
					b.unseenFor(f, mp.ARN, "the managed policy is neither defined in the template nor an AWS managed policy the reader knows")
				}
			}
		}
		for i := range f.Triggers {
			tr := &f.Triggers[i]
			if tr.RoleARN != "" && tr.Role == nil {
				tr.Role = b.roles[tr.RoleARN]
				if tr.Role == nil {
					tr.Role = b.outsideRole(f, tr.RoleARN)
				}
			}
		}
		b.markUnknowns(f)
		f.SortLists()
	}
	sort.SliceStable(b.fns, func(i, j int) bool { return b.fns[i].Source.LogicalID < b.fns[j].Source.LogicalID })
	_ = t
}

func boundaryList(r *account.Role) []account.ManagedPolicy {
	if r.Boundary == nil {
		return nil
	}
	return []account.ManagedPolicy{*r.Boundary}
}

func qualifierName(q string) string {
	if q == "" {
		return "(unqualified)"
	}
	return q
}

// markUnknowns adds an Unseen entry to f for each unknown value its model
// holds.
func (b *builder) markUnknowns(f *account.Function) {
	var texts []string
	for _, v := range []any{f, f.Role} {
		j, err := json.Marshal(v)
		if err == nil {
			texts = append(texts, string(j))
		}
	}
	for _, tr := range f.Triggers {
		if tr.Role != nil {
			if j, err := json.Marshal(tr.Role); err == nil {
				texts = append(texts, string(j))
			}
		}
	}
	joined := strings.Join(texts, "\n")
	if !account.HasUnknown(joined) {
		return
	}
	for _, u := range b.t.unknowns {
		if strings.Contains(joined, u.Marker) {
			b.unseenFor(f, u.Marker, u.describe())
		}
	}
}

func (u Unknown) describe() string {
	where := u.Location.File
	if u.Location.Line > 0 {
		where += ":" + itoa(u.Location.Line)
	}
	switch u.Kind {
	case "Parameter":
		return "parameter " + u.Name + " has no default and no --parameter value (" + where + ")"
	case "ImportValue":
		return "!ImportValue " + u.Name + " comes from another stack (" + where + ")"
	case "Resolve":
		return "dynamic reference {{resolve:" + u.Name + "}} is resolved at deploy time (" + where + ")"
	case "Pseudo":
		return u.Name + " is not known: give --region and --account"
	case "NestedStack":
		return u.Name + " is an output of a nested stack (" + where + ")"
	case "CustomResource":
		return u.Name + " is made by a custom resource at deploy time (" + where + ")"
	case "Condition":
		return "condition " + u.Name + " depends on a value the template does not give (" + where + ")"
	}
	return u.Kind + " " + u.Name + " is not known before deploy (" + where + ")"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
