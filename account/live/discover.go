package live

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// Limits bound trigger discovery on a live account: for each kind, the most
// items of its region-wide listing that are read (see LimitKinds for the
// kinds and what each counts). A kind left out takes its DefaultLimits
// value; 0 (or less) turns that discovery off. Every listing cut by its
// limit, and every discovery turned off, is named in the Unseen list of
// every function read.
type Limits map[string]int

// DefaultLimits are the limits of the kinds Options.Limits leaves out.
var DefaultLimits = Limits{
	"s3":             500,
	"sns":            5000,
	"events":         10,
	"apigateway":     200,
	"apigatewayv2":   200,
	"cognito":        300,
	"elb":            400,
	"logs":           100,
	"secretsmanager": 1000,
	"cloudfront":     500,
	"states":         200,
	"scheduler":      1000,
}

// LimitKinds says what each kind of Limits counts.
var LimitKinds = map[string]string{
	"s3":             "S3 buckets of the region whose notification configuration is read",
	"sns":            "SNS subscriptions of the region listed",
	"events":         "EventBridge event buses asked for the rules that target the function (the default bus included)",
	"apigateway":     "API Gateway REST APIs whose resources, methods and authorizers are read",
	"apigatewayv2":   "API Gateway HTTP and WebSocket APIs whose routes, integrations and authorizers are read",
	"cognito":        "Cognito user pools listed with their Lambda triggers",
	"elb":            "load balancer target groups listed (those of type lambda have their targets read)",
	"logs":           "CloudWatch Logs log groups whose subscription filters are read",
	"secretsmanager": "Secrets Manager secrets listed with their rotation function",
	"cloudfront":     "CloudFront distributions listed with their origins",
	"states":         "Step Functions state machines whose definition is read",
	"scheduler":      "EventBridge Scheduler schedules listed (those that target the function read are read for their role)",
}

// ParseLimits parses "KIND=N,KIND=N" (for instance "logs=500,s3=0") into
// Limits, refusing unknown kinds and numbers that are not whole and not
// negative.
func ParseLimits(s string) (Limits, error) {
	out := Limits{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		kind, num, ok := strings.Cut(part, "=")
		kind = strings.TrimSpace(kind)
		if !ok {
			return nil, fmt.Errorf("%q: want KIND=N (kinds: %s)", part, strings.Join(limitKindNames(), ", "))
		}
		if _, known := LimitKinds[kind]; !known {
			return nil, fmt.Errorf("unknown discovery kind %q (kinds: %s)", kind, strings.Join(limitKindNames(), ", "))
		}
		n, err := strconv.Atoi(strings.TrimSpace(num))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s=%s: want a whole number, 0 or more (0 turns it off)", kind, num)
		}
		out[kind] = n
	}
	return out, nil
}

func limitKindNames() []string {
	names := make([]string, 0, len(LimitKinds))
	for k := range LimitKinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// limit is the discovery limit of kind; 0 when it is turned off.
func (l *Reader) limit(kind string) int {
	n, ok := l.opts.Limits[kind]
	if !ok {
		n = DefaultLimits[kind]
	}
	return max(n, 0)
}

// turnedOff is the Unseen entry of a discovery turned off by its limit.
func turnedOff(op, resource, kind, what string) account.Unseen {
	return account.Unseen{Operation: op, Resource: resource,
		Error: fmt.Sprintf("%s were not read (turned off): discovery limit %s=0", what, kind)}
}

// limited is the Unseen entry of a listing cut at its limit.
func (l *Reader) limited(op, resource, kind, items, what string) account.Unseen {
	n := l.limit(kind)
	where := l.origin.Region
	if kind == "cloudfront" {
		where = "the account" // CloudFront is global
	}
	return account.Unseen{Operation: op, Resource: resource,
		Error: fmt.Sprintf("read the first %d %s of %s only (discovery limit %s=%d): %s on the others were not looked for", n, items, where, kind, n, what)}
}

// regionListing is one region-wide listing of trigger discovery, bounded by
// the discovery limit of kind: list is the operation that lists (a refused
// page is reported for it), op the one a limit or a kind turned off is
// reported for, all the resource; items names what is listed and finds
// what is looked for in it (for a limit's note), off what a kind turned
// off leaves unread.
type regionListing struct{ list, op, all, kind, items, finds, off string }

// listEach reads the pages of a listing (next returns a page's items, and
// false when none is left), passing each item to use, at most the kind's
// limit of them. It returns what went unseen (the kind turned off, a page
// refused, the limit reached) and the error that must end the whole read.
func listEach[T any](ctx context.Context, l *Reader, rl regionListing, next func(context.Context) ([]T, bool, error), use func(T)) ([]account.Unseen, error) {
	limit := l.limit(rl.kind)
	if limit == 0 {
		return []account.Unseen{turnedOff(rl.op, rl.all, rl.kind, rl.off)}, nil
	}
	n := 0
	for {
		items, more, err := next(ctx)
		if err != nil {
			u, stop := unseenFor(ctx, rl.list, rl.all, err)
			if stop != nil {
				return nil, stop
			}
			return []account.Unseen{u}, nil
		}
		if !more {
			return nil, nil
		}
		for _, it := range items {
			if n == limit {
				return []account.Unseen{l.limited(rl.op, rl.all, rl.kind, rl.items, rl.finds)}, nil
			}
			n++
			use(it)
		}
	}
}

// sdkPages turns an SDK paginator (its HasMorePages and NextPage) and the
// items of its pages into listEach's next.
func sdkPages[O, F, T any](has func() bool, page func(context.Context, ...func(*F)) (O, error), items func(O) []T) func(context.Context) ([]T, bool, error) {
	return func(ctx context.Context) ([]T, bool, error) {
		if !has() {
			return nil, false, nil
		}
		o, err := page(ctx)
		if err != nil {
			return nil, false, err
		}
		return items(o), true, nil
	}
}

// discoverConcurrency bounds the concurrent calls of one discovery
// listing's fan-out (one call per bucket, API, log group...).
const discoverConcurrency = 4

// fanOut runs fn for i in [0, n), at most conc at a time. A call whose
// slot never came (the context ended) is not run. It returns the first
// error that must end the whole read (see stopError).
func fanOut(ctx context.Context, n, conc int, fn func(ctx context.Context, i int) error) error {
	var g group
	slots := make(chan struct{}, conc)
	for i := range n {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			g.Wait()
			return stopError(ctx, ctx.Err())
		}
		g.Go(func() error {
			defer func() { <-slots }()
			return fn(ctx, i)
		})
	}
	return g.Wait()
}

// functionRef resolves a reference to a function as services store it
// (a name, NAME:QUALIFIER, a partial ARN ACCOUNT:function:NAME, or a full
// ARN, each with an optional qualifier) to its unqualified ARN and
// qualifier in the reader's account and region. A reference that is not
// resolved here (built at run time from a stage variable or a JSONPath)
// gives ok false.
func (l *Reader) functionRef(ref string) (base, qualifier string, ok bool) {
	if ref == "" || strings.ContainsAny(ref, "${} ") {
		return "", "", false
	}
	p := l.origin
	var name string
	switch parts := strings.Split(ref, ":"); {
	case strings.HasPrefix(ref, "arn:"):
		a, err := parseFunctionARN(ref)
		if err != nil {
			return "", "", false
		}
		p = account.Origin{Partition: a.partition, Region: a.region, Account: a.account}
		name, qualifier = a.name, a.qualifier
	case len(parts) >= 3 && parts[1] == "function" && account.IsAccountID(parts[0]) && len(parts) <= 4:
		p.Account, name = parts[0], parts[2]
		if len(parts) == 4 {
			qualifier = parts[3]
		}
	case len(parts) <= 2:
		name = parts[0]
		if len(parts) == 2 {
			qualifier = parts[1]
		}
	default:
		return "", "", false
	}
	if name == "" {
		return "", "", false
	}
	if qualifier == "$LATEST" {
		qualifier = ""
	}
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", p.Partition, p.Region, p.Account, name), qualifier, true
}

// addRef adds trigger t of the function ref names, with its qualifier.
// A reference that does not resolve is left out.
func (x *triggerIndex) addRef(l *Reader, ref string, t account.Trigger) {
	base, q, ok := l.functionRef(ref)
	if !ok {
		return
	}
	if q != "" {
		base += ":" + q
	}
	x.add(base, t)
}

// withRoles returns a copy of ts with the role of every trigger that
// invokes through its own role read (once per Reader, like execution
// roles), and what could not be read of them.
func (l *Reader) withRoles(ctx context.Context, ts []account.Trigger) ([]account.Trigger, []account.Unseen, error) {
	out := append([]account.Trigger(nil), ts...)
	var unseen []account.Unseen
	for i := range out {
		if out[i].RoleARN == "" || !strings.Contains(account.ARNField(out[i].RoleARN, 5), "role/") {
			continue
		}
		role, us, err := l.role(ctx, out[i].RoleARN)
		if err != nil {
			return nil, nil, err
		}
		out[i].Role = role
		for _, u := range us {
			if !hasUnseen(unseen, u) {
				unseen = append(unseen, u)
			}
		}
	}
	return out, unseen, nil
}

func hasUnseen(list []account.Unseen, u account.Unseen) bool {
	for _, have := range list {
		if have == u {
			return true
		}
	}
	return false
}

// indexedTriggers are the region-wide listings that name functions: each
// is read once per Reader and gives the triggers of every function.
func (l *Reader) indexedTriggers() []func(context.Context) (triggerIndex, error) {
	return []func(context.Context) (triggerIndex, error){
		l.snsIndex, l.s3Index, l.cognitoIndex, l.elbIndex, l.logsIndex,
		l.secretsIndex, l.statesIndex,
	}
}

// readIndexedTriggers adds the triggers of r.f that region-wide listings
// name (every kind but EventBridge rules, read per function, and
// CloudFront, matched with the function URLs at the end), each kind with
// the roles its triggers invoke through.
func (l *Reader) readIndexedTriggers(ctx context.Context, r *fnRead) error {
	var g group
	add := func(ts []account.Trigger, unseen []account.Unseen) error {
		ts, roleUnseen, err := l.withRoles(ctx, ts)
		if err != nil {
			return err
		}
		r.do(func(f *account.Function) {
			for _, t := range ts {
				f.Triggers = account.AddTrigger(f.Triggers, t)
			}
			f.Unseen = append(f.Unseen, unseen...)
			f.Unseen = append(f.Unseen, roleUnseen...)
		})
		// A key a trigger encrypts with (a Cognito custom sender) is read
		// now, while other discoveries go on; readKeys finds it read.
		var kg group
		for _, t := range ts {
			if a := t.KMSKeyARN; account.ARNField(a, 2) == "kms" && strings.HasPrefix(account.ARNField(a, 5), "key/") {
				kg.Go(func() error { _, err := l.key(ctx, a); return err })
			}
		}
		return kg.Wait()
	}
	for _, index := range l.indexedTriggers() {
		g.Go(func() error {
			x, err := index(ctx)
			if err != nil {
				return err
			}
			return add(x.byFunction[r.f.ARN], x.unseen)
		})
	}
	for _, read := range []func(context.Context, *account.Function) ([]account.Trigger, []account.Unseen, error){l.gatewayTriggers, l.schedulerTriggers} {
		g.Go(func() error {
			ts, unseen, err := read(ctx, r.f)
			if err != nil {
				return err
			}
			return add(ts, unseen)
		})
	}
	g.Go(func() error {
		_, err := l.cloudfrontIndex(ctx) // read now; matched with the URL configs in readCloudFront
		return err
	})
	return g.Wait()
}
