package account

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// KMS keys a function depends on. A key is stored once in a snapshot
// ("keys", like "roles") and reaches each function that references it
// (Function.Keys): the environment's key (Config.KMSKeyARN) and the key of
// every queue, stream or topic the function reads from or sends to
// (Function.ResourceKeys).
//
// A key is judged as the resource policy it is (AWS KMS Developer Guide,
// "Key policies in AWS KMS": "Unless the key policy explicitly allows it,
// you cannot use IAM policies to allow access to a KMS key"), its grants
// count as allows with their constraints (AWS KMS Developer Guide, "Grants
// in AWS KMS"), and a key that is not Enabled refuses every cryptographic
// operation whatever the policies say (AWS KMS Developer Guide, "Key
// states of AWS KMS keys").

// Key states (KMS API, KeyMetadata.KeyState).
const (
	KeyEnabled                = "Enabled"
	KeyDisabled               = "Disabled"
	KeyPendingDeletion        = "PendingDeletion"
	KeyPendingImport          = "PendingImport"
	KeyPendingReplicaDeletion = "PendingReplicaDeletion"
	KeyUnavailable            = "Unavailable"
	KeyCreating               = "Creating"
	KeyUpdating               = "Updating"
)

// Key managers (KMS API, KeyMetadata.KeyManager).
const (
	KeyManagerAWS      = "AWS"      // an AWS managed key (aws/lambda, aws/sqs...): its policy and grants cannot be changed
	KeyManagerCustomer = "CUSTOMER" // a customer managed key
)

// Key is one KMS key with what decides who may use it. Every field but ARN
// is optional: an empty field was not read (Unseen says why).
type Key struct {
	// ARN is the key ARN, arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID
	// (never an alias ARN: a reader resolves aliases with kms:DescribeKey).
	ARN string `json:"arn"`
	// KeyID is the key id (the last part of the ARN).
	KeyID string `json:"key_id,omitempty"`
	// Aliases are the key's alias names ("alias/aws/lambda"), when listed.
	Aliases []string `json:"aliases,omitempty"`
	// State is KeyMetadata.KeyState: one of the Key* states; "" when
	// kms:DescribeKey was not read.
	State string `json:"state,omitempty"`
	// DeletionDate is when a key in PendingDeletion is deleted.
	DeletionDate *time.Time `json:"deletion_date,omitempty"`
	// KeyManager is KeyMetadata.KeyManager: AWS or CUSTOMER.
	KeyManager string `json:"key_manager,omitempty"`
	// Policy is the key policy document (kms:GetKeyPolicy, policy name
	// "default"), decoded JSON text; "" when it was not read, and then the
	// default key policy is assumed, and said to be.
	Policy string `json:"policy,omitempty"`
	// Grants are the key's grants (kms:ListGrants), in the order listed.
	// Empty with no kms:ListGrants entry in Unseen means the key has none.
	Grants []Grant `json:"grants,omitempty"`
	// Unseen lists the reads of this key that were refused or failed
	// (kms:DescribeKey, kms:GetKeyPolicy, kms:ListGrants, kms:ListAliases),
	// with the permission the operator lacks.
	Unseen []Unseen `json:"unseen,omitempty"`
}

// Grant is one KMS grant (KMS API, GrantListEntry).
type Grant struct {
	GrantID string `json:"grant_id"`
	// Name is the grant's name (Lambda names the grants it makes for a
	// function's environment after the function).
	Name string `json:"name,omitempty"`
	// GranteePrincipal is as ListGrants shows it: a principal ARN (a role,
	// a role session, a user, an account root), a service principal, or,
	// once the principal the grant was made for has been deleted, its unique
	// id ("AROA...:SESSION" for a role session, "AROA..." for a role,
	// "AIDA..." for a user). A unique id that is not the current role's
	// (Role.ID) is a stale grant: the role was deleted and re-created under
	// the same name, and the grant no longer applies to it.
	GranteePrincipal string `json:"grantee_principal"`
	// RetiringPrincipal may retire the grant (same forms as the grantee).
	RetiringPrincipal string `json:"retiring_principal,omitempty"`
	// Operations are KMS operation names as ListGrants gives them
	// ("Decrypt", "GenerateDataKey", "CreateGrant"...), without "kms:".
	Operations []string `json:"operations"`
	// Constraints restrict the grant to requests with an encryption
	// context; nil for none.
	Constraints *GrantConstraints `json:"constraints,omitempty"`
	// IssuingAccount is the account root ARN that created the grant.
	IssuingAccount string     `json:"issuing_account,omitempty"`
	CreationDate   *time.Time `json:"creation_date,omitempty"`
}

// GrantConstraints are a grant's encryption context constraints (KMS API,
// GrantConstraints): the grant allows a request only when its encryption
// context equals EncryptionContextEquals, or includes
// EncryptionContextSubset.
type GrantConstraints struct {
	EncryptionContextEquals map[string]string `json:"encryption_context_equals,omitempty"`
	EncryptionContextSubset map[string]string `json:"encryption_context_subset,omitempty"`
}

// ResourceKey says which KMS key encrypts a resource the function uses: a
// queue, stream or topic of its event sources, its dead-letter target or
// its destinations (SQS KmsMasterKeyId, Kinesis KeyId, SNS KmsMasterKeyId,
// resolved to the key ARN).
type ResourceKey struct {
	Resource string `json:"resource"` // the resource ARN
	KeyARN   string `json:"kms_key_arn"`
}

// UniqueIDPrincipal reports whether p is an IAM unique id as a policy or a
// grant shows a deleted principal (AROA... for a role, AIDA... for a user,
// with ":SESSION" for a role session), and returns the id.
func UniqueIDPrincipal(p string) (id string, ok bool) {
	id, _, _ = strings.Cut(p, ":")
	if len(id) < 16 || !(strings.HasPrefix(id, "AROA") || strings.HasPrefix(id, "AIDA")) {
		return "", false
	}
	for _, r := range id {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "", false
		}
	}
	return id, true
}

// KeyByARN returns the key of f with ARN arn (a key ARN, or a key id of the
// function's region), or nil.
func (f *Function) KeyByARN(arn string) *Key {
	for _, k := range f.Keys {
		if k.ARN == arn || (k.KeyID != "" && k.KeyID == arn) || strings.HasSuffix(k.ARN, ":key/"+arn) {
			return k
		}
	}
	return nil
}

// KeyOf returns the ARN of the key that encrypts resource, from
// ResourceKeys, or "".
func (f *Function) KeyOf(resource string) string {
	for _, rk := range f.ResourceKeys {
		if rk.Resource == resource {
			return rk.KeyARN
		}
	}
	return ""
}

// KeyARNs lists the keys f references: the environment's key, each
// resource's, then each trigger's (Trigger.KMSKeyARN), once each.
func (f *Function) KeyARNs() []string {
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	add(f.Config.KMSKeyARN)
	for _, rk := range f.ResourceKeys {
		add(rk.KeyARN)
	}
	for _, t := range f.Triggers {
		add(t.KMSKeyARN)
	}
	return out
}

// KeySource is a Source that can also read one KMS key by ARN, for a key a
// person names (--resource, a pasted KMS error) that the function does not
// reference. ErrNotFound (wrapped) means the source has no such key.
type KeySource interface {
	Key(ctx context.Context, arn string) (*Key, error)
}

// TagSource is a Source that can also read the tags of resources by ARN,
// for a resource a person names (--resource, a pasted error) that the
// function's requests do not. It returns the tags of each resource whose
// tags were read (an empty map: none), and the reads that were refused or
// failed; a resource in neither was not read.
type TagSource interface {
	ResourceTags(ctx context.Context, arns []string) (map[string]map[string]string, []Unseen, error)
}

// TaggedResources lists the resources f's requests name whose tags may
// decide them (aws:ResourceTag/*): the source of each event source
// mapping, the dead-letter target, each destination, and each KMS key of
// KeyARNs, once each.
func (f *Function) TaggedResources() []string {
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		if strings.HasPrefix(a, "arn:") && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, es := range f.EventSources {
		add(es.EventSourceARN)
	}
	add(f.Config.DeadLetterTarget)
	for _, a := range f.AsyncConfigs {
		add(a.OnSuccess)
		add(a.OnFailure)
	}
	for _, k := range f.KeyARNs() {
		add(k)
	}
	return out
}

// TagsOf returns the tags of resource and whether they were read.
func (f *Function) TagsOf(resource string) (map[string]string, bool) {
	tags, ok := f.ResourceTags[resource]
	return tags, ok
}

type keyJSON struct {
	ARN          string          `json:"arn"`
	KeyID        string          `json:"key_id,omitempty"`
	Aliases      []string        `json:"aliases,omitempty"`
	State        string          `json:"state,omitempty"`
	DeletionDate *time.Time      `json:"deletion_date,omitempty"`
	KeyManager   string          `json:"key_manager,omitempty"`
	Policy       json.RawMessage `json:"policy,omitempty"`
	Grants       []Grant         `json:"grants,omitempty"`
	Unseen       []Unseen        `json:"unseen,omitempty"`
}

// MarshalJSON writes the key policy as a JSON object when it is one.
func (k Key) MarshalJSON() ([]byte, error) {
	j := keyJSON{ARN: k.ARN, KeyID: k.KeyID, Aliases: k.Aliases, State: k.State, DeletionDate: k.DeletionDate,
		KeyManager: k.KeyManager, Grants: k.Grants, Unseen: k.Unseen}
	if k.Policy != "" {
		j.Policy = docJSON(k.Policy)
	}
	return marshalNoEscape(j), nil
}

// UnmarshalJSON reads a key policy given as an object or as a string.
func (k *Key) UnmarshalJSON(data []byte) error {
	var j keyJSON
	doc, err := decodeWithDocument(data, &j, &j.Policy, "policy")
	if err != nil {
		return err
	}
	*k = Key{ARN: j.ARN, KeyID: j.KeyID, Aliases: j.Aliases, State: j.State, DeletionDate: j.DeletionDate,
		KeyManager: j.KeyManager, Policy: doc, Grants: j.Grants, Unseen: j.Unseen}
	return nil
}

func sortKeys(keys []*Key) {
	sort.Slice(keys, func(i, j int) bool { return keys[i].ARN < keys[j].ARN })
}
