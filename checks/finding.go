// Package checks runs the rules of `lambda-doctor check` over account
// functions: what a function's configuration requires (the requirements of
// package judge, judged as diagnose judges them, with the fixes of package
// fix), least-privilege findings on its role and resource policy, and the
// expectations of a CI spec file. It decides from an account.Function and
// the policy engine; it never talks to AWS, and it does not import diagnose.
package checks

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/internal/jsontext"
)

// Severity ranks findings. The zero value is SeverityNone.
type Severity int

// Severities, lowest first.
const (
	SeverityNone Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"none", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name (case-insensitive). "none" is accepted
// so that `--fail-on none` can turn findings off as a failure cause.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want low, medium, high, critical or none)", s)
}

// MarshalText writes the severity name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Finding is one problem found on a function, its role or its resource
// policy.
type Finding struct {
	ID       string   `json:"id"` // stable rule id, e.g. LD101
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Title is one sentence about this instance of the rule.
	Title string `json:"title"`
	// Subject is the ARN the finding is about: a function, a role or a
	// managed policy.
	Subject string `json:"subject"`
	// Functions are the function ARNs the finding affects.
	Functions []string   `json:"functions"`
	Evidence  []Evidence `json:"evidence,omitempty"`
	Fixes     []fix.Fix  `json:"fixes,omitempty"`
	Advice    string     `json:"advice,omitempty"`
	Doc       string     `json:"doc,omitempty"` // the AWS documentation page behind the rule
	// Ambiguous is set on a requirement's finding when the door is open
	// under one reading of the IAM User Guide and closed under the other:
	// the finding is undecided (it makes the run incomplete, never failed),
	// and its fixes make the door open under both readings.
	Ambiguous *judge.Ambiguity `json:"ambiguous,omitempty"`
	// Location is the template resource the finding is about (`check
	// --template`): the trigger or permission that asks for the
	// requirement, the role, or the function.
	Location *account.Location `json:"location,omitempty"`

	// role is the execution role whose permissions a requirement finding
	// is about; parts are the titles of the findings mergeShared merged
	// into this one, one per function.
	role  string
	parts []string
}

// Evidence points at what made a rule fire.
type Evidence struct {
	Policy    string `json:"policy,omitempty"`
	Statement string `json:"statement,omitempty"`
	Detail    string `json:"detail"`
}

// Rule describes one finding type.
type Rule struct {
	ID       string
	Name     string
	Severity Severity // default severity
	Short    string   // what the rule finds, for tables and SARIF
	Help     string   // why it matters and what to do
	Doc      string
}

// The rule ids are a public interface: CI configurations ignore them by id.
// LD0xx: a permission the function's configuration requires is missing
// (the requirements of package judge, which diagnose judges too).
// LD1xx: least privilege. LD2xx: spec expectations.
var rules = []Rule{
	requirementRule(judge.RuleLogs, High, "the execution role cannot write the function's logs",
		"Without logs:CreateLogStream and logs:PutLogEvents on its log group the function runs but nothing reaches CloudWatch Logs."),
	requirementRule(judge.RuleVPC, High, "the execution role lacks the ENI permissions a VPC function needs",
		"Lambda creates and deletes network interfaces with the execution role; DescribeNetworkInterfaces works only on \"Resource\": \"*\"."),
	requirementRule(judge.RuleEventSource, High, "the execution role cannot read an event source",
		"Lambda polls SQS queues, Kinesis and DynamoDB streams and MSK clusters with the execution role."),
	requirementRule(judge.RuleDeadLetter, High, "the execution role cannot send to the dead-letter target",
		"Lambda sends discarded events to the dead-letter queue or topic with the execution role."),
	requirementRule(judge.RuleDestination, High, "the execution role cannot deliver to an async destination",
		"Lambda delivers invocation records to on-success and on-failure destinations with the execution role."),
	requirementRule(judge.RuleXRay, Medium, "tracing is Active but the execution role cannot send traces",
		"Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords."),
	requirementRule(judge.RuleKMSEnv, Medium, "the execution role cannot decrypt with the environment's KMS key",
		"Environment variables encrypted with a customer managed key need kms:Decrypt on that key."),
	requirementRule(judge.RuleEFS, High, "the execution role cannot mount the function's file system",
		"Mounting an EFS access point needs elasticfilesystem:ClientMount (and ClientWrite to write)."),
	requirementRule(judge.RuleLayer, Low, "a layer belongs to another account",
		"The layer's owner grants lambda:GetLayerVersion; if they revoke it, the next update of the function fails."),
	requirementRule(judge.RuleImage, Low, "the container image is in another account's repository",
		"The ECR repository policy must let Lambda pull from this account; if it stops, the function goes inactive."),
	requirementRule(judge.RuleTrust, Critical, "the role's trust policy does not let Lambda assume it",
		"Lambda must be able to assume the execution role (sts:AssumeRole for lambda.amazonaws.com)."),
	requirementRule(judge.RuleInvoker, High, "an invoker the account shows may not invoke the function",
		"A trigger (API route, rule, topic, bucket, log subscription...), a public function URL or a statement's intended caller cannot invoke the function: the integration is broken."),
	requirementRule(judge.RuleFunctionFailed, Critical, "the function is in a Failed state",
		"A Failed function cannot be invoked, whatever its permissions; its StateReasonCode says why, and it leaves the state only when updated after the cause is fixed."),
	requirementRule(judge.RuleLayerUnusable, Medium, "a layer version is in another region or no longer exists",
		"A function uses layers of its own region only, and a deleted layer version makes the next update of the function fail; no policy change helps."),
	requirementRule(judge.RuleKeyState, Critical, "a KMS key the function depends on is not Enabled",
		"A disabled key, or one pending deletion, refuses every cryptographic operation whatever its policy says: the environment cannot be decrypted, the queue or topic cannot be read or written."),
	requirementRule(judge.RuleDeletedPrincipal, High, "a grant or statement names a deleted principal",
		"A KMS grant or a resource-policy statement made for a role that was deleted and re-created under the same name names the old unique id and no longer applies; make the grant again, do not widen a policy."),
	requirementRule(judge.RuleImageRegion, High, "the container image is in another region",
		"Lambda pulls images from an Amazon ECR registry of its own region only; no policy change helps."),
	requirementRule(judge.RuleESMNotARN, High, "an event source mapping names a URL, not an ARN",
		"CreateEventSourceMapping needs the source's ARN; a queue URL (CloudFormation's Ref of a queue) is refused."),
	requirementRule(judge.RuleKMSSender, High, "the execution role cannot decrypt the codes a Cognito custom sender trigger receives",
		"Cognito encrypts the codes and temporary passwords it sends a custom email or SMS sender trigger with the user pool's KMS key; without kms:Decrypt on it the function cannot deliver them, and users get no code."),
	requirementRule(judge.RuleRoleNotFound, Critical, "the execution role does not exist",
		"Lambda assumes the execution role for every invocation; a role that was deleted cannot be assumed, so every invocation fails (\"The role defined for the function cannot be assumed by Lambda\"). Create it again under the same name with a trust policy for lambda.amazonaws.com, or point the function at a role that exists; no grant helps."),

	{"LD101", "admin-policy", Critical, "an administrator policy is attached to an execution role",
		"AdministratorAccess and PowerUserAccess give the function's code (and anyone who can run code in it) nearly the whole account.",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"},
	{"LD102", "star-star", Critical, "an execution role allows every action on every resource",
		"A statement allowing \"*\" actions on \"*\" is administrator access by another name.",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"},
	{"LD103", "wildcard-grant", Medium, "a wildcard grant where narrower permissions are possible",
		"A wildcard action or a \"*\" resource on actions that accept resource-level permissions grants more than the function needs.",
		"https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"},
	{"LD104", "shared-role", Low, "one execution role is shared by several functions",
		"Each function then holds the permissions of all the others; give each function its own role.",
		"https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html"},
	{"LD105", "confused-deputy", High, "a service may invoke the function without SourceArn or SourceAccount",
		"Without aws:SourceArn or aws:SourceAccount any resource of that service, in any account, can make it invoke the function.",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"},
	{"LD106", "public-principal", Critical, "the resource policy lets anyone invoke the function",
		"A \"*\" principal without conditions lets any AWS account, or anyone at all, invoke the function.",
		"https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"},
	{"LD107", "function-url-public", Medium, "a function URL has auth type NONE",
		"Anyone on the internet who knows the URL can invoke the function; use AWS_IAM unless the function is meant to be public.",
		"https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"},
	{"LD108", "unknown-action", Medium, "a policy names an action that does not exist",
		"An unknown action (often a typo such as dynamodb:Querry) never matches a request, so the grant never works.",
		"https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"},
	{"LD109", "trust-too-broad", High, "the execution role trusts more than Lambda",
		"Every principal the trust policy allows can assume the role and act with the function's permissions.",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#term_trust-policy"},
	{"LD110", "policy-unreadable", Medium, "a policy could not be read or parsed",
		"Checks that need the policy could not be run; the result may miss problems.",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"},

	{"LD201", "expect-invoke", High, "a required invoker cannot invoke the function",
		"The spec says this caller must be able to invoke the function.",
		"https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"},
	{"LD202", "expect-call", High, "the function cannot make a call the spec requires",
		"The spec says the function must be able to make this call.",
		"https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html"},
	{"LD203", "expect-deny", High, "the function can make a call the spec forbids",
		"The spec says the function must not be able to make this call.",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"},
}

// requirementRule is the rule of a requirement of package judge: its id,
// name and documentation come from judge's list.
func requirementRule(id string, sev Severity, short, help string) Rule {
	r, ok := judge.RuleByID(id)
	if !ok {
		panic("checks: judge has no rule " + id)
	}
	return Rule{ID: r.ID, Name: r.Name, Severity: sev, Short: short, Help: help, Doc: r.Doc}
}

var rulesByID = func() map[string]Rule {
	m := make(map[string]Rule, len(rules))
	for _, r := range rules {
		m[r.ID] = r
	}
	return m
}()

// Rules returns the catalog of rules, ordered by id.
func Rules() []Rule { return append([]Rule(nil), rules...) }

// RuleByID returns the rule with the given id.
func RuleByID(id string) (Rule, bool) {
	r, ok := rulesByID[strings.ToUpper(id)]
	return r, ok
}

// newFinding starts a finding of rule id with the rule's defaults.
func newFinding(id, subject, title string, functions ...string) Finding {
	r, ok := rulesByID[id]
	if !ok {
		panic("checks: unknown rule " + id)
	}
	return Finding{ID: r.ID, Rule: r.Name, Severity: r.Severity, Title: title, Subject: subject,
		Functions: functions, Doc: r.Doc}
}

// MarshalJSON keeps Functions an array even when empty, and puts the
// fixes that are no command (who must act, or why no command is safe) in
// fix_advice, so that every fixes[].command runs.
func (f Finding) MarshalJSON() ([]byte, error) {
	type plain Finding
	p := plain(f)
	if p.Functions == nil {
		p.Functions = []string{}
	}
	cmds, advice := fix.Split(f.Fixes)
	return jsontext.Marshal(struct {
		plain
		Fixes     []fix.Fix    `json:"fixes,omitempty"`
		FixAdvice []fix.Advice `json:"fix_advice,omitempty"`
	}{p, cmds, advice})
}

// MarshalJSON puts an expectation's fixes that are no command in
// fix_advice, as Finding's.
func (e Expectation) MarshalJSON() ([]byte, error) {
	type plain Expectation
	cmds, advice := fix.Split(e.Fixes)
	return jsontext.Marshal(struct {
		plain
		Fixes     []fix.Fix    `json:"fixes,omitempty"`
		FixAdvice []fix.Advice `json:"fix_advice,omitempty"`
	}{plain(e), cmds, advice})
}
