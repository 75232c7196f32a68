package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/account/live"
	"github.com/lambda-doctor/lambda-doctor/account/template"
	"github.com/lambda-doctor/lambda-doctor/checks"
)

// `check --template` reads the values a template does not give from the
// account it is deployed to, when credentials are present
// (docs/contract.md, "check --template"): the account and region, the
// deployed stack's parameters and physical ids (--stack-name), the
// region's exports, and the roles and managed policies the template names
// but does not define. --parameter and the template's own values always
// win (template.Options); a read that fails leaves its values unknown and
// is listed.

// accountTimeout bounds the identity check of `check --template`: the
// template's values are optional, so an endpoint that does not answer
// costs at most this (each later read has the live reader's budget).
const accountTimeout = 30 * time.Second

// accountPlan says whether `check --template` reads the account.
type accountPlan struct {
	Read bool
	// Note says why not, and how to read one.
	Note string
	// Why says which credentials were seen.
	Why string
	// Profile is --profile (or AWS_PROFILE); RegionFrom where --region
	// came from ("" when not given).
	Profile    string
	RegionFrom string
}

const enableRead = "give --profile, or AWS credentials in the environment, to fill them from the deployed account"

// planAccountRead decides whether to read the account: never with
// --offline; with --profile on the command line; else only when the
// standard credential chain shows credentials without asking the instance
// metadata service (credentialsVisible), so that a run without
// credentials, the usual pull-request CI, makes no request at all.
func planAccountRead(offline, profileGiven bool, profile string) accountPlan {
	p := accountPlan{Profile: profile}
	switch {
	case offline:
		p.Note = "--offline"
	case profileGiven:
		p.Read, p.Why = true, "--profile "+profile
	default:
		p.Why, p.Read = credentialsVisible(os.Getenv, sharedProfileHasCredentials)
		if !p.Read {
			p.Note = "no AWS credentials found (" + enableRead + "; --offline never reads)"
		}
	}
	return p
}

// credentialsVisible reports where the standard credential chain would
// find credentials without asking the EC2 instance metadata service (a
// request that, off EC2, only times out): the environment's keys, a web
// identity token, the container credentials endpoint, or a shared config
// profile (AWS_PROFILE, else default) with a credential source
// ("Standardized credential providers", AWS SDKs and Tools Reference
// Guide).
func credentialsVisible(getenv func(string) string, profileHasCredentials func(profile string) bool) (string, bool) {
	switch {
	case getenv("AWS_ACCESS_KEY_ID") != "" && getenv("AWS_SECRET_ACCESS_KEY") != "":
		return "AWS_ACCESS_KEY_ID", true
	case getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "" && getenv("AWS_ROLE_ARN") != "":
		return "AWS_WEB_IDENTITY_TOKEN_FILE", true
	case getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != "" || getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != "":
		return "the container credentials endpoint", true
	}
	profile := getenv("AWS_PROFILE")
	if profile == "" {
		profile = getenv("AWS_DEFAULT_PROFILE")
	}
	if profile == "" {
		profile = "default"
	}
	if profileHasCredentials(profile) {
		return "profile " + profile, true
	}
	return "", false
}

// sharedProfileHasCredentials reports whether the shared config files
// (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE or their defaults) give
// profile a credential source. It reads the files only.
func sharedProfileHasCredentials(profile string) bool {
	sc, err := config.LoadSharedConfigProfile(context.Background(), profile, func(o *config.LoadSharedConfigOptions) {
		if f := os.Getenv("AWS_CONFIG_FILE"); f != "" {
			o.ConfigFiles = []string{f}
		}
		if f := os.Getenv("AWS_SHARED_CREDENTIALS_FILE"); f != "" {
			o.CredentialsFiles = []string{f}
		}
	})
	if err != nil {
		return false
	}
	return sc.Credentials.HasKeys() || sc.RoleARN != "" || sc.SSOSessionName != "" || sc.SSOStartURL != "" ||
		sc.CredentialProcess != "" || sc.WebIdentityTokenFile != "" || sc.LoginSession != ""
}

// templateReader is what readTemplate reads from the account: the live
// reader (tests may give another).
type templateReader interface {
	Origin() account.Origin
	ReadStack(ctx context.Context, name string) (*live.Stack, []account.Unseen, error)
	ReadExports(ctx context.Context) (map[string]string, []account.Unseen, error)
	ReadRole(ctx context.Context, arn string) (*account.Role, []account.Unseen, error)
	ReadManagedPolicy(ctx context.Context, arn string) (account.ManagedPolicy, []account.Unseen, error)
}

// readTemplate reads the template, with the values the account gives when
// plan says to read it. It returns the options the template was read
// with (the account and region filled in). A template that cannot be read
// is an error before any request.
func readTemplate(ctx context.Context, path string, opts template.Options, plan accountPlan) (*template.Result, template.Options, *checks.AccountRead, error) {
	res, err := template.Read(path, opts)
	if err != nil {
		return nil, opts, nil, err
	}
	ar := &checks.AccountRead{Account: opts.Account, Region: opts.Region}
	if opts.Account != "" {
		ar.AccountFrom = "--account"
	}
	if opts.Region != "" {
		ar.RegionFrom = plan.RegionFrom
	}
	if !plan.Read {
		ar.Note = plan.Note
		return res, opts, ar, nil
	}
	lo := live.Options{Profile: plan.Profile, Region: opts.Region, Timeout: accountTimeout, LogWindow: -1, Limits: live.Limits{}}
	for k := range live.LimitKinds {
		lo.Limits[k] = 0
	}
	r, err := live.New(ctx, lo)
	if err != nil {
		if ctx.Err() != nil {
			return nil, opts, nil, err
		}
		ar.Note = "the account could not be read with the credentials of " + plan.Why + ": " + err.Error()
		return res, opts, ar, nil
	}
	return readTemplateFrom(ctx, r, path, opts, plan, ar)
}

// readTemplateFrom is readTemplate once the account is open: it reads
// what the template leaves unknown, in rounds (a value read may name what
// the next round reads: a parameter that names a role), until nothing new
// is asked for.
func readTemplateFrom(ctx context.Context, r templateReader, path string, opts template.Options, plan accountPlan, ar *checks.AccountRead) (*template.Result, template.Options, *checks.AccountRead, error) {
	origin := r.Origin()
	if opts.Account != "" && opts.Account != origin.Account {
		ar.Note = fmt.Sprintf("the credentials (%s) are of account %s, not of --account %s: nothing read", plan.Why, origin.Account, opts.Account)
		res, err := template.Read(path, opts)
		return res, opts, ar, err
	}
	ar.Read = true
	if opts.Account == "" {
		opts.Account, ar.Account, ar.AccountFrom = origin.Account, origin.Account, "sts:GetCallerIdentity of "+origin.Caller
	}
	if opts.Region == "" {
		opts.Region, ar.Region, ar.RegionFrom = origin.Region, origin.Region, "the AWS configuration of "+plan.Why
	}
	if opts.StackName != "" {
		st, us, err := r.ReadStack(ctx, opts.StackName)
		if err != nil {
			return nil, opts, nil, err
		}
		ar.Unseen = append(ar.Unseen, us...)
		if st != nil {
			ar.Stack, ar.StackStatus = st.Name, st.Status
			opts.StackParameters = st.Parameters
			opts.StackResolved = st.Resolved
			if len(st.PhysicalIDs) > 0 {
				ids := map[string]string{}
				for k, v := range opts.PhysicalIDs {
					ids[k] = v
				}
				for k, v := range st.PhysicalIDs {
					if _, set := ids[k]; !set {
						ids[k] = v
					}
				}
				opts.PhysicalIDs = ids
				ar.Values = append(ar.Values, checks.ReadValue{Kind: "PhysicalIds", Name: st.Name,
					From: fmt.Sprintf("%d resources of stack %s (cloudformation:ListStackResources)", len(st.PhysicalIDs), st.Name)})
			}
		}
	}
	exportsRead := false
	tried := map[string]bool{}
	var res *template.Result
	for round := 0; ; round++ {
		var err error
		if res, err = template.Read(path, opts); err != nil {
			return nil, opts, nil, err
		}
		needExports := !exportsRead && slices.ContainsFunc(res.Unknowns, func(u template.Unknown) bool {
			return u.Kind == "ImportValue" && !account.HasMarker(u.Name)
		})
		var roles, policies []string
		for _, a := range res.ExternalRoles {
			if !tried["role "+a] {
				roles = append(roles, a)
			}
		}
		for _, a := range res.ExternalPolicies {
			if !tried["policy "+a] {
				policies = append(policies, a)
			}
		}
		if (!needExports && len(roles) == 0 && len(policies) == 0) || round == 4 {
			break
		}
		if err := readRound(ctx, r, &opts, ar, needExports, roles, policies); err != nil {
			return nil, opts, nil, err
		}
		exportsRead = exportsRead || needExports
		for _, a := range roles {
			tried["role "+a] = true
		}
		for _, a := range policies {
			tried["policy "+a] = true
		}
	}
	for _, k := range res.KeptDefaults {
		ar.KeptDefaults = append(ar.KeptDefaults, checks.KeptDefault{Parameter: k.Name, Default: k.Default, Deployed: k.Deployed})
	}
	for _, f := range res.Filled {
		v := checks.ReadValue{Kind: f.Kind, Name: f.Name}
		switch f.Kind {
		case "Parameter":
			v.From = "stack " + ar.Stack + " (cloudformation:DescribeStacks)"
			if f.Resolved != "" {
				v.From = "the value stack " + ar.Stack + " resolved for Systems Manager parameter " + f.Resolved + " (cloudformation:DescribeStacks, ResolvedValue)"
			}
		case "ImportValue":
			v.From = "the exports of " + opts.Region + " (cloudformation:ListExports)"
		case "Role":
			v.From = "the role in account " + opts.Account + " (iam:GetRole and its policies)"
		case "ManagedPolicy":
			v.From = "its default version (iam:GetPolicy, iam:GetPolicyVersion)"
		}
		ar.Values = append(ar.Values, v)
	}
	return res, opts, ar, nil
}

// readRound makes one round's reads concurrently: the exports, and each
// role and managed policy. Each has its own budget in the live reader.
func readRound(ctx context.Context, r templateReader, opts *template.Options, ar *checks.AccountRead, exports bool, roles, policies []string) error {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var stop error
	note := func(us []account.Unseen, err error) {
		mu.Lock()
		defer mu.Unlock()
		ar.Unseen = append(ar.Unseen, us...)
		if err != nil && stop == nil {
			stop = err
		}
	}
	if exports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ex, us, err := r.ReadExports(ctx)
			note(us, err)
			if ex != nil {
				mu.Lock()
				opts.Exports = ex
				mu.Unlock()
			}
		}()
	}
	for _, a := range roles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			role, us, err := r.ReadRole(ctx, a)
			if role != nil {
				mu.Lock()
				if opts.Roles == nil {
					opts.Roles = map[string]template.OutsideRole{}
				}
				// The reads of the role that failed go with it to the
				// functions that use it, as on a live account.
				opts.Roles[a] = template.OutsideRole{Role: role, Unseen: us}
				mu.Unlock()
			}
			note(us, err)
		}()
	}
	for _, a := range policies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mp, us, err := r.ReadManagedPolicy(ctx, a)
			note(us, err)
			if mp.Document != "" && len(us) == 0 {
				mu.Lock()
				if opts.ManagedPolicies == nil {
					opts.ManagedPolicies = map[string]account.ManagedPolicy{}
				}
				opts.ManagedPolicies[a] = mp
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.SliceStable(ar.Unseen, func(i, j int) bool {
		return ar.Unseen[i].Operation+" "+ar.Unseen[i].Resource < ar.Unseen[j].Operation+" "+ar.Unseen[j].Resource
	})
	return stop
}

// regionFrom says where --region's value came from.
func regionFrom(fromFlag bool) string {
	if fromFlag {
		return "--region"
	}
	for _, e := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if strings.TrimSpace(os.Getenv(e)) != "" {
			return e
		}
	}
	return "--region"
}
