package judge

import (
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/jsontext"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// KMS keys: a request on a key is judged with the key policy as its
// resource policy and the key's grants as more allows.
//
//   - "A key policy is a resource policy for an AWS KMS key ... Unless the
//     key policy explicitly allows it, you cannot use IAM policies to allow
//     access to a KMS key" (AWS KMS Developer Guide, key-policies). The
//     engine applies this (simulate, explicitTrust): an IAM allow counts only
//     when the key policy names the account (the default key policy's
//     "Enable IAM User Permissions" statement, AWS KMS Developer Guide,
//     key-policy-default); a key policy statement naming the role allows by
//     itself.
//   - Grants "allow AWS principals to use KMS keys in cryptographic
//     operations" and are considered "along with key policies and IAM
//     policies" (AWS KMS Developer Guide, grants): each becomes an Allow
//     statement for its grantee, its operations and its encryption context
//     constraints. A grantee shown as a unique id (the principal was
//     deleted) matches no request: that is a stale grant (StaleGrants).
//   - Only an Enabled key serves cryptographic operations (AWS KMS
//     Developer Guide, key-state): KeyStateCause.

// KeyPolicyName is the name of key arn's policy in inputs and traces.
func KeyPolicyName(arn string) string { return "key policy of " + arn }

// assumedKeyPolicyName is the name of the default key policy stood in for
// a key policy that was not read.
func assumedKeyPolicyName(arn string) string {
	return "key policy of " + arn + " (not read; assumed default)"
}

// grantSidPrefix marks the statements that stand for grants.
const grantSidPrefix = "kms-grant:"

// GrantID returns the grant id of a statement that stands for a grant in
// a key's resource layer, and whether it is one.
func GrantID(sid string) (string, bool) {
	if !strings.HasPrefix(sid, grantSidPrefix) {
		return "", false
	}
	return strings.TrimPrefix(sid, grantSidPrefix), true
}

// KeyPolicyOf reports whether policy is the name of a key's policy in a
// trace, and returns the key ARN.
func KeyPolicyOf(policy string) (string, bool) {
	rest, ok := strings.CutPrefix(policy, "key policy of ")
	if !ok {
		return "", false
	}
	arn, _, _ := strings.Cut(rest, " ")
	return arn, true
}

// defaultKeyPolicy is the statement of the default key policy that lets the
// account's IAM policies grant access (AWS KMS Developer Guide,
// key-policy-default, "Allows access to the AWS account and enables IAM
// policies").
func defaultKeyPolicy(partition, acct string) string {
	return policyJSON(map[string]any{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
		"Principal": map[string]string{"AWS": "arn:" + partition + ":iam::" + acct + ":root"}, "Action": "kms:*", "Resource": "*"})
}

// keyLayer is the resource layer of a request on KMS key arn: the key
// policy the model holds with the key's grants as statements, or, when the
// policy was not read, the default key policy (assumed, and said to be in
// g.Assumed) with the grants that were read.
func keyLayer(fn *account.Function, arn string, g *Gaps) *simulate.NamedPolicy {
	key := fn.KeyByARN(arn)
	acct := ARNAccount(arn, fn.Account)
	name := KeyPolicyName(arn)
	doc := ""
	if key != nil {
		doc = key.Policy
	}
	if doc == "" {
		name = assumedKeyPolicyName(arn)
		doc = defaultKeyPolicy(fn.PartitionName(), acct)
		why := "was not read"
		if u := keyUnseen(key, "kms:GetKeyPolicy"); u != nil && u.Permission != "" {
			why = "could not be read (the operator needs " + u.Permission + ")"
		}
		g.Assumed = append(g.Assumed, "the key policy of "+arn+" "+why+"; assumed to be the default key policy, which lets IAM policies of the account grant access")
	}
	base, err := ParsePolicy(doc)
	if err != nil {
		g.Unparsed = append(g.Unparsed, Unparsed{Policy: name, Owner: arn, Err: err})
		return nil
	}
	if key != nil {
		if u := keyUnseen(key, "kms:ListGrants"); u != nil {
			what := "could not be read"
			if u.Permission != "" {
				what += " (the operator needs " + u.Permission + ")"
			}
			g.Assumed = append(g.Assumed, "the grants of "+arn+" "+what+"; a grant could allow what the policies do not")
		}
	}
	grants := grantStatements(key)
	if len(grants) == 0 {
		return &simulate.NamedPolicy{Name: name, Policy: base}
	}
	p := &simulate.Policy{Version: base.Version, ID: base.ID, Statements: make([]simulate.Statement, 0, len(base.Statements)+len(grants))}
	p.Statements = append(p.Statements, base.Statements...)
	for _, st := range grants {
		st.Index = len(p.Statements)
		p.Statements = append(p.Statements, st)
	}
	return &simulate.NamedPolicy{Name: name, Policy: p}
}

func keyUnseen(key *account.Key, op string) *account.Unseen {
	if key == nil {
		return nil
	}
	for i := range key.Unseen {
		if strings.EqualFold(key.Unseen[i].Operation, op) {
			return &key.Unseen[i]
		}
	}
	return nil
}

// grantStatements turns a key's grants into Allow statements: the grantee
// as principal, the operations as kms: actions, the constraints as
// conditions on kms:EncryptionContext:KEY (and, for
// EncryptionContextEquals, kms:EncryptionContextKeys, so that no other key
// may be present). A grantee that is a unique id (a deleted principal)
// gives no statement.
func grantStatements(key *account.Key) []simulate.Statement {
	if key == nil {
		return nil
	}
	var out []simulate.Statement
	for _, gr := range key.Grants {
		principal := ""
		switch {
		case strings.HasPrefix(gr.GranteePrincipal, "arn:"):
			principal = `{"AWS":` + jsonString(gr.GranteePrincipal) + `}`
		case IsServicePrincipal(gr.GranteePrincipal):
			principal = `{"Service":` + jsonString(gr.GranteePrincipal) + `}`
		default:
			continue // a unique id: the principal it was made for is gone
		}
		var actions []string
		for _, op := range gr.Operations {
			actions = append(actions, jsonString("kms:"+op))
		}
		if len(actions) == 0 {
			continue
		}
		cond := grantCondition(gr.Constraints)
		doc := `{"Version":"2012-10-17","Statement":[{"Sid":` + jsonString(grantSidPrefix+gr.GrantID) + `,"Effect":"Allow","Principal":` + principal +
			`,"Action":[` + strings.Join(actions, ",") + `],"Resource":"*"` + cond + `}]}`
		p, err := ParsePolicy(doc)
		if err != nil || len(p.Statements) != 1 {
			continue // an operation or constraint the engine refuses: left out
		}
		out = append(out, p.Statements[0])
	}
	return out
}

func grantCondition(c *account.GrantConstraints) string {
	if c == nil || (len(c.EncryptionContextEquals) == 0 && len(c.EncryptionContextSubset) == 0) {
		return ""
	}
	eq := map[string]string{}
	for k, v := range c.EncryptionContextSubset {
		eq["kms:EncryptionContext:"+k] = v
	}
	var keys []string
	for k, v := range c.EncryptionContextEquals {
		eq["kms:EncryptionContext:"+k] = v
		keys = append(keys, k)
	}
	var parts []string
	names := make([]string, 0, len(eq))
	for k := range eq {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		parts = append(parts, jsonString(k)+":"+jsonString(eq[k]))
	}
	s := `,"Condition":{"StringEquals":{` + strings.Join(parts, ",") + `}`
	if len(keys) > 0 {
		sort.Strings(keys)
		var q []string
		for _, k := range keys {
			q = append(q, jsonString(k))
		}
		s += `,"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":[` + strings.Join(q, ",") + `]}`
	}
	return s + "}"
}

// jsonString is s as a JSON string (jsontext: no HTML escaping).
func jsonString(s string) string { return jsontext.Quote(s) }

// EnvDecryptCall is Lambda decrypting the function's environment with key:
// kms:Decrypt with the execution role's session, outside the execution
// environment (Lambda DG lambda-intro-execution-role), with the encryption
// context aws:lambda:FunctionArn = the function's ARN, which is also the
// constraint of the grant Lambda makes for the role (as kms:ListGrants and
// CloudTrail's Decrypt records show it).
func EnvDecryptCall(fn *account.Function, key string) Call {
	return Call{Action: "kms:Decrypt", Resource: key, ByLambda: true,
		Why: "Lambda decrypts the environment variables, encrypted with a customer managed key",
		Context: simulate.Context{
			"kms:EncryptionContext:aws:lambda:FunctionArn": single(fn.ARN),
			"kms:EncryptionContextKeys":                    {Values: []string{"aws:lambda:FunctionArn"}, Multi: true},
			"kms:CallerAccount":                            single(ARNAccount(fn.Config.RoleARN, fn.Account)),
		}}
}

// ResourceKeyCalls are the KMS calls a service makes with the execution
// role's permissions (a forward access session: aws:ViaAWSService true,
// kms:ViaService the service, IAM UG access_forward_access_sessions) when
// the function reads from (producer false) or sends to (producer true) a
// resource encrypted with a KMS key the model knows (Function.ResourceKeys):
//   - SQS: a consumer needs kms:Decrypt, a producer kms:GenerateDataKey and
//     kms:Decrypt (SQS DG sqs-key-management);
//   - Kinesis: a consumer needs kms:Decrypt (Kinesis DG
//     permissions-user-key-KMS);
//   - SNS: a publisher needs kms:GenerateDataKey and kms:Decrypt (SNS DG
//     sns-key-management);
//   - S3: writing an object needs kms:GenerateDataKey (S3 UG
//     UsingKMSEncryption).
//
// None for a resource whose key is not known.
func ResourceKeyCalls(fn *account.Function, resource string, producer bool, why string) []Call {
	key := fn.KeyOf(resource)
	if key == "" {
		return nil
	}
	svc := account.ARNField(resource, 2)
	var actions []string
	switch {
	case svc == "sqs" && producer, svc == "sns" && producer:
		actions = []string{"kms:GenerateDataKey", "kms:Decrypt"}
	case svc == "sqs", svc == "kinesis":
		actions = []string{"kms:Decrypt"}
	case svc == "s3" && producer:
		actions = []string{"kms:GenerateDataKey"}
	default:
		return nil
	}
	region := orDefault(ARNRegion(resource), fn.Region)
	var out []Call
	for _, a := range actions {
		out = append(out, Call{Action: a, Resource: key, ByLambda: true,
			Why: why + ": " + svc + " uses the key of " + resource + " with the execution role's permissions",
			Context: simulate.Context{
				"aws:ViaAWSService": single("true"),
				"kms:ViaService":    single(svc + "." + region + ".amazonaws.com"),
				"kms:CallerAccount": single(ARNAccount(fn.Config.RoleARN, fn.Account)),
			}})
	}
	return out
}

// StaleGrant is a grant on a key the function depends on that was made for
// the function's execution role before the role was deleted and re-created
// under the same name: KMS shows its grantee as the old role's unique id,
// and it no longer applies to the new role. The fix is to re-create the
// grant, not to widen a policy.
type StaleGrant struct {
	Key   *account.Key
	Grant account.Grant
	// OldID is the unique id the grant names; the role's is now NewID.
	OldID, NewID string
	// Lambda is true for the grant Lambda made for the function's
	// environment (its constraint names the function): only Lambda can make
	// it again, when the function's configuration is updated.
	Lambda bool
}

// StaleGrants lists the grants of fn's keys made for a deleted role of the
// same name: a grantee or retiring principal that is a unique id other
// than the current role's, and a grant that names this function (its
// session name, its name or its aws:lambda:FunctionArn constraint). Without
// the role's id in the model nothing is reported.
func StaleGrants(fn *account.Function) []StaleGrant {
	if fn.Role == nil || fn.Role.ID == "" {
		return nil
	}
	var out []StaleGrant
	for _, k := range fn.Keys {
		for _, gr := range k.Grants {
			id, ok := account.UniqueIDPrincipal(gr.GranteePrincipal)
			if !ok || id == fn.Role.ID || !strings.HasPrefix(id, "AROA") {
				continue
			}
			_, session, _ := strings.Cut(gr.GranteePrincipal, ":")
			lambdaGrant := false
			if c := gr.Constraints; c != nil {
				lambdaGrant = c.EncryptionContextEquals["aws:lambda:FunctionArn"] == fn.ARN || c.EncryptionContextSubset["aws:lambda:FunctionArn"] == fn.ARN
			}
			if !lambdaGrant && session != fn.Name && gr.Name != fn.Name {
				continue
			}
			if regranted(fn, k, gr) {
				continue // made again for the role as it is now: a harmless leftover
			}
			out = append(out, StaleGrant{Key: k, Grant: gr, OldID: id, NewID: fn.Role.ID, Lambda: lambdaGrant || session == fn.Name})
		}
	}
	return out
}

// regranted reports whether key k has a grant for fn's role as it is now
// (its ARN or a session of it) with every operation of the stale grant old.
func regranted(fn *account.Function, k *account.Key, old account.Grant) bool {
	session := "arn:" + fn.PartitionName() + ":sts::" + ARNAccount(fn.Role.ARN, fn.Account) + ":assumed-role/" + fn.Role.Name + "/"
	for _, g := range k.Grants {
		if g.GranteePrincipal != fn.Role.ARN && !strings.HasPrefix(g.GranteePrincipal, session) {
			continue
		}
		all := true
		for _, op := range old.Operations {
			all = all && ContainsFold(g.Operations, op)
		}
		if all {
			return true
		}
	}
	return false
}

// cryptoOps are the KMS actions a key that is not Enabled refuses (AWS KMS
// Developer Guide, key-state: a disabled key or one pending deletion
// "cannot be used in cryptographic operations").
var cryptoOps = map[string]bool{"kms:decrypt": true, "kms:encrypt": true, "kms:reencryptfrom": true, "kms:reencryptto": true,
	"kms:generatedatakey": true, "kms:generatedatakeywithoutplaintext": true, "kms:generatedatakeypair": true,
	"kms:generatedatakeypairwithoutplaintext": true, "kms:sign": true, "kms:verify": true, "kms:generatemac": true,
	"kms:verifymac": true}
