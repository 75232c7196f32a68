// Package account is the one model of a Lambda function's two doors, the
// Source interface that reads it, and the snapshot file format. It decides
// nothing and does no AWS I/O: the live reader on aws-sdk-go-v2 is package
// account/live, so the packages that decide (diagnose, checks) do not depend
// on the AWS SDK.
package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Function is everything lambda-doctor knows about one function's doors.
// Policy documents are kept as decoded JSON text, exactly once URL-decoded.
type Function struct {
	ARN       string `json:"arn"` // unqualified function ARN
	Name      string `json:"name"`
	Account   string `json:"account"`
	Region    string `json:"region"`
	Partition string `json:"partition"`

	Config Config `json:"config"`
	// Versions are the published versions of the function ($LATEST not
	// included), when known.
	Versions []string `json:"versions,omitempty"`

	// ResourcePolicies holds the resource-based policy of the function
	// (Qualifier "") and of each alias or version that has one.
	ResourcePolicies []ResourcePolicy `json:"resource_policies,omitempty"`
	Aliases          []Alias          `json:"aliases,omitempty"`
	URLConfigs       []URLConfig      `json:"url_configs,omitempty"`
	EventSources     []EventSource    `json:"event_sources,omitempty"`
	AsyncConfigs     []AsyncConfig    `json:"async_configs,omitempty"`
	// Triggers are invokers the account shows outside the function itself
	// (an S3 notification, an EventBridge rule target, an API Gateway
	// integration...), when the source could see them.
	Triggers []Trigger `json:"triggers,omitempty"`

	// Role is the execution role; nil when it could not be read (see Unseen).
	// Functions sharing a role share the pointer.
	Role *Role `json:"-"`

	LogGroups []LogGroup `json:"log_groups,omitempty"`
	// Denials are recent log lines reporting an access denial.
	Denials []Denial `json:"denials,omitempty"`

	// Org holds the SCP and RCP levels that apply to the account, when known.
	Org *Org `json:"-"`

	// ResourceKeys says which KMS key encrypts each queue, stream or topic
	// the function reads from or sends to, when known (see ResourceKey).
	ResourceKeys []ResourceKey `json:"resource_keys,omitempty"`
	// Keys are the KMS keys the function references (Config.KMSKeyARN and
	// ResourceKeys) that were read; a snapshot stores each once in its
	// "keys" list. A referenced key that is not here was not read: its key
	// policy is then assumed to be the default one, and said to be.
	Keys []*Key `json:"-"`

	// ResourceTags are the tags of resources the function's requests name
	// (event sources, dead-letter target, destinations, KMS keys), by
	// resource ARN, for each resource whose tags were read: an entry with
	// no tags is a resource known to have none. A resource without an
	// entry was not read: a condition on its tags (aws:ResourceTag/KEY)
	// is then undecided when its value would decide.
	ResourceTags map[string]map[string]string `json:"resource_tags,omitempty"`

	// Unseen lists every read that was refused or failed.
	Unseen []Unseen `json:"unseen,omitempty"`

	// Source is where the function is defined, when it was read from an
	// infrastructure template (account/template); nil for a live account.
	Source *Location `json:"source,omitempty"`
}

// Location is a place in an infrastructure template: the file, the line
// and column of a resource, and its logical id.
type Location struct {
	File      string `json:"file"`
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	LogicalID string `json:"logical_id,omitempty"`
}

// Config is the function configuration that matters to its doors. It never
// holds environment variable values or code locations.
type Config struct {
	Runtime          string       `json:"runtime,omitempty"`
	Handler          string       `json:"handler,omitempty"`
	RoleARN          string       `json:"role_arn"`
	PackageType      string       `json:"package_type,omitempty"` // Zip | Image
	ImageURI         string       `json:"image_uri,omitempty"`
	Architectures    []string     `json:"architectures,omitempty"`
	Version          string       `json:"version,omitempty"`
	EnvironmentKeys  []string     `json:"environment_keys,omitempty"` // names only, never values
	KMSKeyARN        string       `json:"kms_key_arn,omitempty"`
	VPC              *VPCConfig   `json:"vpc,omitempty"`
	DeadLetterTarget string       `json:"dead_letter_target,omitempty"` // SQS queue or SNS topic ARN
	TracingMode      string       `json:"tracing_mode,omitempty"`       // Active | PassThrough
	Logging          Logging      `json:"logging"`
	Layers           []string     `json:"layers,omitempty"` // layer version ARNs
	FileSystems      []FileSystem `json:"file_systems,omitempty"`
	// State is the function's state (Pending, Active, Inactive, Failed),
	// StateReasonCode and StateReason why it is in it (Lambda API,
	// FunctionConfiguration); a Failed function cannot be invoked, whatever
	// its permissions.
	State           string `json:"state,omitempty"`
	StateReason     string `json:"state_reason,omitempty"`
	StateReasonCode string `json:"state_reason_code,omitempty"`
	// LastUpdateStatus is the last update's status (InProgress, Successful,
	// Failed) with LastUpdateStatusReasonCode and LastUpdateStatusReason.
	LastUpdateStatus           string `json:"last_update_status,omitempty"`
	LastUpdateStatusReason     string `json:"last_update_status_reason,omitempty"`
	LastUpdateStatusReasonCode string `json:"last_update_status_reason_code,omitempty"`
}

// VPCConfig is the function's VPC attachment.
type VPCConfig struct {
	VPCID            string   `json:"vpc_id,omitempty"`
	SubnetIDs        []string `json:"subnet_ids,omitempty"`
	SecurityGroupIDs []string `json:"security_group_ids,omitempty"`
}

// Logging is the function's logging configuration. LogGroup is always set:
// the custom group of the logging config, else /aws/lambda/NAME.
type Logging struct {
	LogGroup  string `json:"log_group"`
	Custom    bool   `json:"custom,omitempty"` // LogGroup came from LoggingConfig
	LogFormat string `json:"log_format,omitempty"`
}

// FileSystem is an EFS access point mounted by the function.
type FileSystem struct {
	ARN            string `json:"arn"`
	LocalMountPath string `json:"local_mount_path,omitempty"`
}

// ResourcePolicy is the resource-based policy of the function or of one
// qualifier (alias or version).
type ResourcePolicy struct {
	Qualifier  string `json:"qualifier,omitempty"` // "" for the unqualified function
	Document   string `json:"document"`
	RevisionID string `json:"revision_id,omitempty"`
}

// Alias is a function alias.
type Alias struct {
	Name            string `json:"name"`
	ARN             string `json:"arn"`
	FunctionVersion string `json:"function_version"`
}

// URLConfig is a function URL.
type URLConfig struct {
	Qualifier string `json:"qualifier,omitempty"`
	URL       string `json:"url"`
	AuthType  string `json:"auth_type"` // AWS_IAM | NONE
}

// EventSource is an event source mapping (SQS, Kinesis, DynamoDB stream, MSK...).
type EventSource struct {
	UUID           string `json:"uuid"`
	EventSourceARN string `json:"event_source_arn"`
	State          string `json:"state,omitempty"`
	FunctionARN    string `json:"function_arn,omitempty"` // may be qualified
	LastResult     string `json:"last_processing_result,omitempty"`
}

// AsyncConfig holds the asynchronous invocation destinations of one qualifier.
type AsyncConfig struct {
	Qualifier string `json:"qualifier,omitempty"`
	OnSuccess string `json:"on_success,omitempty"`
	OnFailure string `json:"on_failure,omitempty"`
}

// Trigger is an invoker found outside the function: Principal is the service
// principal (or account/role ARN) that invokes, SourceARN the resource that
// triggers (rule, topic, bucket, API route, log group...).
type Trigger struct {
	// Kind is one of TriggerKinds.
	Kind          string `json:"kind"`
	Principal     string `json:"principal"`
	SourceARN     string `json:"source_arn,omitempty"`
	SourceAccount string `json:"source_account,omitempty"`
	Qualifier     string `json:"qualifier,omitempty"`
	// RoleARN is set when the trigger invokes through a role of its own
	// (an EventBridge target role, an API Gateway integration credential);
	// then the resource policy is not what lets it in.
	RoleARN string `json:"role_arn,omitempty"`
	// Role is the invoking role RoleARN names, with its policies, when it
	// was read (a snapshot stores it once in its roles list); nil otherwise.
	Role *Role `json:"-"`
	// KMSKeyARN is the key the source encrypts what it sends with (the
	// codes a Cognito custom sender trigger receives): the function's role
	// must be allowed kms:Decrypt on it.
	KMSKeyARN string `json:"kms_key_arn,omitempty"`
	// Name says which part of the source invokes, for people: "GET
	// /orders/{id} of API orders-api (a1b2c3d4e5), stage prod", "authorizer
	// jwt-check", "PreSignUp trigger of user pool us-east-1_AbC".
	Name string `json:"name,omitempty"`
	// Notes are facts about the trigger a person needs (the console's test
	// stage, an integration whose function name comes from a stage variable).
	Notes []string `json:"notes,omitempty"`
	// Source is the template resource that wires the trigger (the method,
	// rule, subscription...), when read from a template; nil otherwise.
	Source *Location `json:"source,omitempty"`
}

// Trigger kinds. A kind says how the source invokes: through the function's
// resource policy with a service principal (most), as an account or role
// named in it (account), or through a role of its own (states, scheduler,
// and events or apigateway when RoleARN is set).
const (
	TriggerS3             = "s3"                    // bucket notification: s3.amazonaws.com, SourceArn the bucket, SourceAccount
	TriggerEvents         = "events"                // EventBridge rule target: events.amazonaws.com, SourceArn the rule
	TriggerSNS            = "sns"                   // topic subscription: sns.amazonaws.com, SourceArn the topic
	TriggerAPIGateway     = "apigateway"            // REST/HTTP/WebSocket integration: apigateway.amazonaws.com, SourceArn the route (execute-api)
	TriggerAPIAuthorizer  = "apigateway-authorizer" // Lambda authorizer: apigateway.amazonaws.com, SourceArn API_ID/authorizers/ID
	TriggerCognito        = "cognito"               // user pool trigger: cognito-idp.amazonaws.com, SourceArn the user pool
	TriggerELB            = "elb"                   // ALB target group: elasticloadbalancing.amazonaws.com, SourceArn the target group
	TriggerLogs           = "logs"                  // subscription filter: logs.amazonaws.com, SourceArn the log group
	TriggerSecretsManager = "secretsmanager"        // rotation: secretsmanager.amazonaws.com, SourceArn the secret
	TriggerCloudFront     = "cloudfront"            // OAC in front of the function URL: cloudfront.amazonaws.com, SourceArn the distribution
	TriggerStates         = "states"                // Step Functions state machine: invokes with its role (RoleARN)
	TriggerScheduler      = "scheduler"             // EventBridge Scheduler schedule: invokes with its role (RoleARN)
	TriggerAccount        = "account"               // another account or IAM principal
	TriggerOther          = "other"
)

// TriggerKinds lists the trigger kinds.
var TriggerKinds = []string{TriggerS3, TriggerEvents, TriggerSNS, TriggerAPIGateway, TriggerAPIAuthorizer,
	TriggerCognito, TriggerELB, TriggerLogs, TriggerSecretsManager, TriggerCloudFront, TriggerStates,
	TriggerScheduler, TriggerAccount, TriggerOther}

// Role is an IAM role with every policy that applies to its sessions.
type Role struct {
	ARN      string            `json:"arn"`
	Name     string            `json:"name"`
	Path     string            `json:"path,omitempty"`
	ID       string            `json:"id,omitempty"` // AROA...
	Trust    string            `json:"trust_policy"`
	Inline   []InlinePolicy    `json:"inline_policies,omitempty"`
	Managed  []ManagedPolicy   `json:"managed_policies,omitempty"`
	Boundary *ManagedPolicy    `json:"permissions_boundary,omitempty"`
	Tags     map[string]string `json:"tags,omitempty"`
}

// InlinePolicy is a role's inline policy.
type InlinePolicy struct {
	Name     string `json:"name"`
	Document string `json:"document"`
}

// ManagedPolicy is a managed policy with its default version's document.
// Document is empty when it could not be read (see Function.Unseen).
type ManagedPolicy struct {
	ARN       string `json:"arn"`
	Name      string `json:"name"`
	VersionID string `json:"version_id,omitempty"`
	Document  string `json:"document,omitempty"`
}

// LogGroup is a log group the function writes to.
type LogGroup struct {
	Name          string `json:"name"`
	ARN           string `json:"arn,omitempty"`
	Exists        bool   `json:"exists"`
	RetentionDays int    `json:"retention_days,omitempty"`
	KMSKeyID      string `json:"kms_key_id,omitempty"`
	// LastEvent is the time of the newest event in any stream, if known.
	LastEvent *time.Time `json:"last_event,omitempty"`
}

// Denial is one log line that reports an access denial, with what could be
// parsed out of it.
type Denial struct {
	Time      time.Time `json:"time"`
	LogGroup  string    `json:"log_group"`
	Stream    string    `json:"stream,omitempty"`
	Message   string    `json:"message"`
	Kind      string    `json:"kind,omitempty"` // errtext.Kind of the message, when parsed
	Principal string    `json:"principal,omitempty"`
	Action    string    `json:"action,omitempty"`
	Resource  string    `json:"resource,omitempty"`
	// Reason is the policy type AWS blamed, e.g. "no identity-based policy
	// allows" or "explicit deny in a service control policy".
	Reason string `json:"reason,omitempty"`
}

// Org holds the organization policies in force for the function's account.
// Each level (root, each OU, the account) is a list of policies, root first.
//
// A nil *Org means the organization policies are unknown; an empty Org (no
// ID, no levels) means the account is in no organization.
//
// A policy's ARN names it and who may change it:
// arn:aws:organizations::MANAGEMENT-ACCOUNT:policy/o-ORG/service_control_policy/p-ID
// (resource_control_policy for an RCP); only the organization's management
// account or a delegated administrator may change it, never the member
// account (Organizations UG, SCPs and RCPs).
type Org struct {
	ID string `json:"id,omitempty"`
	// ManagementAccount is the organization's management account
	// (DescribeOrganization's MasterAccountId, which a member account may
	// read), when known.
	ManagementAccount string `json:"management_account,omitempty"`
	// Path names the target of each level, root first: the root (r-...),
	// each OU (ou-...) and the account, when the levels were read.
	Path []string          `json:"path,omitempty"`
	SCPs [][]ManagedPolicy `json:"scps,omitempty"`
	RCPs [][]ManagedPolicy `json:"rcps,omitempty"`
	// PoliciesUnread is true when the account is in organization ID but its
	// SCPs and RCPs could not be read (only the management account or a
	// delegated administrator may read them).
	PoliciesUnread bool `json:"policies_unread,omitempty"`
}

// Unseen is one read that could not be made.
type Unseen struct {
	Operation  string `json:"operation"`            // e.g. "iam:GetRolePolicy"
	Resource   string `json:"resource,omitempty"`   // what it was about
	Permission string `json:"permission,omitempty"` // the IAM action the operator lacks
	Error      string `json:"error"`
	// NotFound is set when the read answered that the thing does not exist
	// (for instance a function's execution role that was deleted).
	NotFound bool `json:"not_found,omitempty"`
}

// Source reads functions from an account or a snapshot.
type Source interface {
	// Function reads one function by name, ARN or name:qualifier.
	Function(ctx context.Context, name string) (*Function, error)
	// FunctionNames lists every function of the account and region.
	FunctionNames(ctx context.Context) ([]string, error)
}

// ErrNotFound is returned (wrapped) when a function does not exist.
var ErrNotFound = errors.New("not found")

// ErrUnavailable is returned (wrapped) by an optional read the service or
// emulator does not offer (HTTP 404 without an AWS error, 5xx, not
// implemented).
var ErrUnavailable = errors.New("not available")

// AccessError is returned when the operator may not make a read without
// which nothing can be decided (for instance lambda:GetFunction), or when
// that read fails for another reason (no credentials, no network):
// Permission is then empty.
type AccessError struct {
	Operation  string
	Permission string
	Err        error
}

func (e *AccessError) Error() string {
	if e.Permission == "" {
		return fmt.Sprintf("%s failed: %v", e.Operation, e.Err)
	}
	return fmt.Sprintf("%s refused: the operator needs %s: %v", e.Operation, e.Permission, e.Err)
}

func (e *AccessError) Unwrap() error { return e.Err }

// InputError is returned for a malformed snapshot or argument (exit code 2).
type InputError struct {
	Source string // file name or flag
	Err    error
}

func (e *InputError) Error() string { return fmt.Sprintf("%s: %v", e.Source, e.Err) }

func (e *InputError) Unwrap() error { return e.Err }

// SortLists puts every list of f in a stable order, for snapshots that diff
// well.
func (f *Function) SortLists() {
	sort.Slice(f.ResourcePolicies, func(i, j int) bool { return f.ResourcePolicies[i].Qualifier < f.ResourcePolicies[j].Qualifier })
	sort.Slice(f.Aliases, func(i, j int) bool { return f.Aliases[i].Name < f.Aliases[j].Name })
	sort.Slice(f.URLConfigs, func(i, j int) bool { return f.URLConfigs[i].Qualifier < f.URLConfigs[j].Qualifier })
	sort.Slice(f.EventSources, func(i, j int) bool { return f.EventSources[i].UUID < f.EventSources[j].UUID })
	sort.Slice(f.AsyncConfigs, func(i, j int) bool { return f.AsyncConfigs[i].Qualifier < f.AsyncConfigs[j].Qualifier })
	sort.Slice(f.Triggers, func(i, j int) bool {
		a, b := f.Triggers[i], f.Triggers[j]
		switch {
		case a.Kind != b.Kind:
			return a.Kind < b.Kind
		case a.SourceARN != b.SourceARN:
			return a.SourceARN < b.SourceARN
		case a.Qualifier != b.Qualifier:
			return a.Qualifier < b.Qualifier
		case a.Principal != b.Principal:
			return a.Principal < b.Principal
		}
		return a.RoleARN < b.RoleARN
	})
	sort.Slice(f.LogGroups, func(i, j int) bool { return f.LogGroups[i].Name < f.LogGroups[j].Name })
	sort.Slice(f.ResourceKeys, func(i, j int) bool { return f.ResourceKeys[i].Resource < f.ResourceKeys[j].Resource })
	sortKeys(f.Keys)
	sort.SliceStable(f.Denials, func(i, j int) bool { return f.Denials[i].Time.Before(f.Denials[j].Time) })
	sort.SliceStable(f.Unseen, func(i, j int) bool {
		a, b := f.Unseen[i], f.Unseen[j]
		if a.Operation != b.Operation {
			return a.Operation < b.Operation
		}
		return a.Resource < b.Resource
	})
}

// Same reports whether t and o are the same invoker: same kind, principal,
// source, qualifier and role (names and notes aside).
func (t Trigger) Same(o Trigger) bool {
	return t.Kind == o.Kind && t.Principal == o.Principal && t.SourceARN == o.SourceARN &&
		t.SourceAccount == o.SourceAccount && t.Qualifier == o.Qualifier && t.RoleARN == o.RoleARN
}

// AddTrigger adds t to ts unless the same invoker (Same) is there. The one
// there is kept, and takes t's KMS key when it has none, with t's notes: a
// user pool's custom sender and another trigger slot of the same pool are
// one invoker, but only the sender's codes are encrypted with the pool's
// key (Trigger.KMSKeyARN), whichever slot was read first.
func AddTrigger(ts []Trigger, t Trigger) []Trigger {
	for i := range ts {
		if !ts[i].Same(t) {
			continue
		}
		if ts[i].KMSKeyARN == "" && t.KMSKeyARN != "" {
			ts[i].KMSKeyARN = t.KMSKeyARN
			for _, n := range t.Notes {
				if !slices.Contains(ts[i].Notes, n) {
					ts[i].Notes = append(ts[i].Notes, n)
				}
			}
		}
		return ts
	}
	return append(ts, t)
}
