package template

import (
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// What Ref and Fn::GetAtt return for each resource type, from the "Return
// values" section of each resource's page in the AWS CloudFormation
// template reference. A name the template does not give is a generated
// marker (or the physical id from Options.PhysicalIDs).

type typeInfo struct {
	nameProp string // the property that names the resource
	// ref is what Ref returns, given the resource's name.
	ref func(t *tmpl, r *resource, name string) (string, error)
	// atts are the attributes Fn::GetAtt returns.
	atts map[string]func(t *tmpl, r *resource, name string) (string, error)
	// fromPhysical turns a physical id (what describe-stack-resources
	// shows) into the name; nil: they are the same.
	fromPhysical func(phys string) string
}

func constName(t *tmpl, r *resource, name string) (string, error) { return name, nil }

func lastAfter(sep string) func(string) string {
	return func(s string) string { return s[strings.LastIndex(s, sep)+1:] }
}

// arn builds an ARN in the template's partition, region and account.
func (t *tmpl) arn(service, resource string) string {
	return "arn:" + t.part + ":" + service + ":" + t.region() + ":" + t.accountID() + ":" + resource
}

// globalARN builds an ARN with no region.
func (t *tmpl) globalARN(service, resource string) string {
	return "arn:" + t.part + ":" + service + "::" + t.accountID() + ":" + resource
}

func arnOf(service, prefix string) func(t *tmpl, r *resource, name string) (string, error) {
	return func(t *tmpl, r *resource, name string) (string, error) { return t.arn(service, prefix+name), nil }
}

var types map[string]*typeInfo

func init() {
	fnARN := arnOf("lambda", "function:")
	types = map[string]*typeInfo{
		"AWS::Lambda::Function": {nameProp: "FunctionName", ref: constName,
			atts:         map[string]func(*tmpl, *resource, string) (string, error){"Arn": fnARN},
			fromPhysical: lastAfter(":")},
		"AWS::Lambda::Version": {ref: versionARN, atts: map[string]func(*tmpl, *resource, string) (string, error){
			"Version": func(t *tmpl, r *resource, name string) (string, error) {
				if p := t.opts.PhysicalIDs[r.id]; p != "" {
					return lastAfter(":")(p), nil
				}
				return generated("Version", r.id), nil
			},
			"FunctionArn": versionARN,
		}},
		"AWS::Lambda::Alias": {ref: aliasARN, atts: map[string]func(*tmpl, *resource, string) (string, error){"AliasArn": aliasARN}},
		"AWS::Lambda::LayerVersion": {ref: func(t *tmpl, r *resource, _ string) (string, error) {
			if p := t.opts.PhysicalIDs[r.id]; p != "" {
				return p, nil
			}
			name, err := t.propString(r, "LayerName")
			if err != nil {
				return "", err
			}
			if name == "" {
				name = generated("Name", r.id)
			}
			if strings.HasPrefix(name, "arn:") {
				return name + ":" + generated("LayerVersion", r.id), nil
			}
			return t.arn("lambda", "layer:"+name+":"+generated("LayerVersion", r.id)), nil
		}},
		"AWS::Lambda::Url": {atts: map[string]func(*tmpl, *resource, string) (string, error){
			"FunctionUrl": func(t *tmpl, r *resource, name string) (string, error) {
				return "https://" + generated("FunctionUrl", r.id) + ".lambda-url." + t.region() + ".on.aws/", nil
			},
			"FunctionArn": func(t *tmpl, r *resource, name string) (string, error) {
				fn, err := t.propString(r, "TargetFunctionArn")
				if err != nil {
					return "", err
				}
				return t.functionARN(fn), nil
			},
		}},
		"AWS::IAM::Role": {nameProp: "RoleName", ref: constName, atts: map[string]func(*tmpl, *resource, string) (string, error){
			"Arn": func(t *tmpl, r *resource, name string) (string, error) {
				p, err := t.propString(r, "Path")
				if err != nil {
					return "", err
				}
				if p == "" {
					p = "/"
				}
				return t.globalARNNoRegion("iam", "role"+p+name), nil
			},
			"RoleId": func(t *tmpl, r *resource, name string) (string, error) { return generated("RoleId", r.id), nil },
		}},
		"AWS::IAM::ManagedPolicy": {nameProp: "ManagedPolicyName", ref: managedPolicyARN,
			atts:         map[string]func(*tmpl, *resource, string) (string, error){"PolicyArn": managedPolicyARN},
			fromPhysical: lastAfter("/")},
		"AWS::SQS::Queue": {nameProp: "QueueName", ref: func(t *tmpl, r *resource, name string) (string, error) {
			return "https://sqs." + t.region() + "." + urlSuffix(t.part) + "/" + t.accountID() + "/" + name, nil
		}, atts: map[string]func(*tmpl, *resource, string) (string, error){
			"Arn":       arnOf("sqs", ""),
			"QueueName": constName,
			"QueueUrl": func(t *tmpl, r *resource, name string) (string, error) {
				return "https://sqs." + t.region() + "." + urlSuffix(t.part) + "/" + t.accountID() + "/" + name, nil
			},
		}, fromPhysical: lastAfter("/")},
		"AWS::SNS::Topic": {nameProp: "TopicName", ref: arnOf("sns", ""), atts: map[string]func(*tmpl, *resource, string) (string, error){
			"TopicArn": arnOf("sns", ""), "TopicName": constName,
		}, fromPhysical: lastAfter(":")},
		"AWS::S3::Bucket": {nameProp: "BucketName", ref: constName, atts: map[string]func(*tmpl, *resource, string) (string, error){
			"Arn": func(t *tmpl, r *resource, name string) (string, error) { return "arn:" + t.part + ":s3:::" + name, nil },
			"DomainName": func(t *tmpl, r *resource, name string) (string, error) {
				return name + ".s3." + urlSuffix(t.part), nil
			},
			"RegionalDomainName": func(t *tmpl, r *resource, name string) (string, error) {
				return name + ".s3." + t.region() + "." + urlSuffix(t.part), nil
			},
		}},
		"AWS::DynamoDB::Table": {nameProp: "TableName", ref: constName, atts: map[string]func(*tmpl, *resource, string) (string, error){
			"Arn": arnOf("dynamodb", "table/"),
			"StreamArn": func(t *tmpl, r *resource, name string) (string, error) {
				return t.arn("dynamodb", "table/"+name+"/stream/"+generated("StreamLabel", r.id)), nil
			},
		}},
		"AWS::Kinesis::Stream": {nameProp: "Name", ref: constName, atts: map[string]func(*tmpl, *resource, string) (string, error){
			"Arn": arnOf("kinesis", "stream/"),
		}},
		"AWS::Logs::LogGroup": {nameProp: "LogGroupName", ref: constName, atts: map[string]func(*tmpl, *resource, string) (string, error){
			"Arn": func(t *tmpl, r *resource, name string) (string, error) {
				return t.arn("logs", "log-group:"+name+":*"), nil
			},
		}},
		"AWS::Events::Rule": {nameProp: "Name", ref: func(t *tmpl, r *resource, name string) (string, error) {
			bus, err := t.ruleBus(r)
			if err != nil || bus == "default" {
				return name, err
			}
			return bus + "|" + name, nil
		}, atts: map[string]func(*tmpl, *resource, string) (string, error){"Arn": ruleARN},
			fromPhysical: lastAfter("|")},
		"AWS::Events::EventBus": {nameProp: "Name", ref: constName, atts: map[string]func(*tmpl, *resource, string) (string, error){
			"Arn": arnOf("events", "event-bus/"), "Name": constName,
		}},
		"AWS::StepFunctions::StateMachine": {nameProp: "StateMachineName", ref: arnOf("states", "stateMachine:"),
			atts: map[string]func(*tmpl, *resource, string) (string, error){
				"Arn": arnOf("states", "stateMachine:"), "Name": constName,
			}, fromPhysical: lastAfter(":")},
		"AWS::Cognito::UserPool": {ref: userPoolID, atts: map[string]func(*tmpl, *resource, string) (string, error){
			"Arn": func(t *tmpl, r *resource, name string) (string, error) {
				id, _ := userPoolID(t, r, name)
				return t.arn("cognito-idp", "userpool/"+id), nil
			},
			"UserPoolId": userPoolID,
		}},
		"AWS::ElasticLoadBalancingV2::TargetGroup": {nameProp: "Name", ref: targetGroupARN,
			atts: map[string]func(*tmpl, *resource, string) (string, error){
				"TargetGroupArn":  targetGroupARN,
				"TargetGroupName": constName,
			}, fromPhysical: func(p string) string {
				parts := strings.Split(p, "/")
				if len(parts) >= 2 {
					return parts[1]
				}
				return p
			}},
		"AWS::SecretsManager::Secret": {nameProp: "Name", ref: func(t *tmpl, r *resource, name string) (string, error) {
			if p := t.opts.PhysicalIDs[r.id]; p != "" {
				return p, nil
			}
			return t.arn("secretsmanager", "secret:"+name+"-"+generated("SecretSuffix", r.id)), nil
		}, fromPhysical: func(p string) string { return p }},
		"AWS::KMS::Key": {ref: generatedID("KeyId"), atts: map[string]func(*tmpl, *resource, string) (string, error){
			"Arn": func(t *tmpl, r *resource, name string) (string, error) {
				id, _ := generatedID("KeyId")(t, r, name)
				return t.arn("kms", "key/"+id), nil
			},
			"KeyId": generatedID("KeyId"),
		}},
		"AWS::Scheduler::Schedule": {nameProp: "Name", ref: constName, atts: map[string]func(*tmpl, *resource, string) (string, error){
			"Arn": func(t *tmpl, r *resource, name string) (string, error) {
				g, err := t.propString(r, "GroupName")
				if g == "" {
					g = "default"
				}
				return t.arn("scheduler", "schedule/"+g+"/"+name), err
			},
		}},
		"AWS::IoT::TopicRule": {nameProp: "RuleName", ref: constName, atts: map[string]func(*tmpl, *resource, string) (string, error){
			"Arn": arnOf("iot", "rule/"),
		}},
		"AWS::ApiGateway::RestApi": {ref: generatedID("RestApiId"), atts: map[string]func(*tmpl, *resource, string) (string, error){
			"RootResourceId": func(t *tmpl, r *resource, _ string) (string, error) { return generated("RootResourceId", r.id), nil },
			"RestApiId":      generatedID("RestApiId"),
		}},
		"AWS::ApiGateway::Stage": {nameProp: "StageName", ref: constName},
		"AWS::ApiGatewayV2::Api": {ref: generatedID("ApiId"), atts: map[string]func(*tmpl, *resource, string) (string, error){
			"ApiId": generatedID("ApiId"),
			"ApiEndpoint": func(t *tmpl, r *resource, name string) (string, error) {
				id, _ := generatedID("ApiId")(t, r, name)
				return "https://" + id + ".execute-api." + t.region() + "." + urlSuffix(t.part), nil
			},
		}},
		"AWS::ApiGatewayV2::Stage": {nameProp: "StageName", ref: constName},
		"AWS::CloudFront::Distribution": {ref: generatedID("DistributionId"), atts: map[string]func(*tmpl, *resource, string) (string, error){
			"Id": generatedID("DistributionId"),
		}},
	}
}

// globalARNNoRegion builds an ARN of a global service (IAM).
func (t *tmpl) globalARNNoRegion(service, resource string) string {
	return "arn:" + t.part + ":" + service + "::" + t.accountID() + ":" + resource
}

func generatedID(kind string) func(t *tmpl, r *resource, _ string) (string, error) {
	return func(t *tmpl, r *resource, _ string) (string, error) {
		if p := t.opts.PhysicalIDs[r.id]; p != "" {
			return p, nil
		}
		return generated(kind, r.id), nil
	}
}

func userPoolID(t *tmpl, r *resource, _ string) (string, error) {
	if p := t.opts.PhysicalIDs[r.id]; p != "" {
		return p, nil
	}
	return t.region() + "_" + generated("UserPoolId", r.id), nil
}

func versionARN(t *tmpl, r *resource, _ string) (string, error) {
	if p := t.opts.PhysicalIDs[r.id]; p != "" {
		return p, nil
	}
	fn, err := t.propString(r, "FunctionName")
	if err != nil {
		return "", err
	}
	base, _ := account.SplitQualifier(t.functionARN(fn))
	return base + ":" + generated("Version", r.id), nil
}

func aliasARN(t *tmpl, r *resource, _ string) (string, error) {
	fn, err := t.propString(r, "FunctionName")
	if err != nil {
		return "", err
	}
	name, err := t.propString(r, "Name")
	if err != nil {
		return "", err
	}
	base, _ := account.SplitQualifier(t.functionARN(fn))
	return base + ":" + name, nil
}

func managedPolicyARN(t *tmpl, r *resource, name string) (string, error) {
	p, err := t.propString(r, "Path")
	if err != nil {
		return "", err
	}
	if p == "" {
		p = "/"
	}
	return t.globalARNNoRegion("iam", "policy"+p+name), nil
}

func targetGroupARN(t *tmpl, r *resource, name string) (string, error) {
	if p := t.opts.PhysicalIDs[r.id]; p != "" {
		return p, nil
	}
	return t.arn("elasticloadbalancing", "targetgroup/"+name+"/"+generated("TargetGroupId", r.id)), nil
}

func (t *tmpl) ruleBus(r *resource) (string, error) {
	bus, err := t.propString(r, "EventBusName")
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(bus, "arn:") {
		bus = bus[strings.LastIndex(bus, "/")+1:]
	}
	if bus == "" {
		bus = "default"
	}
	return bus, nil
}

// ruleARN: a rule on the default bus is rule/NAME, on a custom bus
// rule/BUS/NAME (EventBridge API reference, Rule; service authorization
// reference, resource type rule-on-custom-event-bus).
func ruleARN(t *tmpl, r *resource, name string) (string, error) {
	bus, err := t.ruleBus(r)
	if err != nil {
		return "", err
	}
	if bus == "default" {
		return t.arn("events", "rule/"+name), nil
	}
	return t.arn("events", "rule/"+bus+"/"+name), nil
}

// propString evaluates one property of r to a string ("" when absent).
func (t *tmpl) propString(r *resource, k string) (string, error) {
	props, err := t.properties(r)
	if err != nil {
		return "", err
	}
	return props.get(k).text(), nil
}

// name returns the physical name of r: from Options.PhysicalIDs, from its
// name property, or a generated marker.
func (t *tmpl) name(r *resource, info *typeInfo) (string, error) {
	if p := t.opts.PhysicalIDs[r.id]; p != "" {
		if info != nil && info.fromPhysical != nil {
			return info.fromPhysical(p), nil
		}
		return p, nil
	}
	if r.nameDone {
		return r.nameVal, nil
	}
	if info != nil && info.nameProp != "" {
		if r.nameBusy {
			return "", t.errAt(r.raw, "Resources."+r.id, "circular reference: the name of %s depends on itself", r.id)
		}
		raw := r.prop(info.nameProp)
		if raw != nil {
			r.nameBusy = true
			prev := t.current
			t.current = r
			v, err := t.eval(raw, "Resources."+r.id+".Properties."+info.nameProp)
			t.current = prev
			r.nameBusy = false
			if err != nil {
				return "", err
			}
			if v != noValue && v.scalar() && v.str != "" {
				r.nameVal, r.nameDone = v.str, true
				return v.str, nil
			}
		}
	}
	r.nameVal, r.nameDone = generated("Name", r.id), true
	return r.nameVal, nil
}

func (t *tmpl) refResource(r *resource, at *node, path string) (*node, error) {
	info := types[r.typ]
	if kind := outsideKind(r.typ); kind != "" {
		return str(t.unknown(kind, r.id+".Ref", at, path)), nil
	}
	if info == nil || info.ref == nil {
		if p := t.opts.PhysicalIDs[r.id]; p != "" {
			return str(p), nil
		}
		return str(generated("Ref", r.id)), nil
	}
	if p := t.opts.PhysicalIDs[r.id]; p != "" {
		// describe-stack-resources shows what Ref returns.
		return str(p), nil
	}
	name, err := t.name(r, info)
	if err != nil {
		return nil, err
	}
	v, err := info.ref(t, r, name)
	if err != nil {
		return nil, err
	}
	return str(v), nil
}

// outsideKind says whether the attributes of a resource type are made
// outside the template: a nested stack's outputs, a custom resource's data.
func outsideKind(typ string) string {
	switch {
	case typ == "AWS::CloudFormation::Stack" || typ == "AWS::Serverless::Application":
		return "NestedStack"
	case strings.HasPrefix(typ, "Custom::") || typ == "AWS::CloudFormation::CustomResource":
		return "CustomResource"
	}
	return ""
}

func (t *tmpl) attResource(r *resource, attr string, at *node, path string) (*node, error) {
	if kind := outsideKind(r.typ); kind != "" {
		return str(t.unknown(kind, r.id+"."+attr, at, path)), nil
	}
	info := types[r.typ]
	if info != nil {
		if f := info.atts[attr]; f != nil {
			name, err := t.name(r, info)
			if err != nil {
				return nil, err
			}
			v, err := f(t, r, name)
			if err != nil {
				return nil, err
			}
			return str(v), nil
		}
	}
	return str(generated("GetAtt", r.id+"."+attr)), nil
}

// functionARN turns what a template gives for a function (a name, a
// partial ARN ACCOUNT:function:NAME, a full ARN, each maybe qualified)
// into its ARN.
func (t *tmpl) functionARN(s string) string {
	switch {
	case s == "":
		return ""
	case strings.HasPrefix(s, "arn:"):
		return s
	case strings.Contains(s, ":function:"):
		return "arn:" + t.part + ":lambda:" + t.region() + ":" + s
	}
	return t.arn("lambda", "function:"+s)
}
