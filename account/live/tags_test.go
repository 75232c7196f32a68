package live

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/smithy-go/middleware"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// The tags of the resources a function's requests name are read with
// tag:GetResources (ResourceARNList): a tagged queue has its tags, a
// resource absent from the answer has none ("GetResources does not return
// untagged resources", Resource Groups Tagging API reference), a resource
// of another account or without a region is not asked, and a refused read
// is in Unseen with tag:GetResources, nothing read.
func TestLiveResourceTags(t *testing.T) {
	s := motoserver.Start(t)
	sc := createScenario(t, s, "tags")
	queueURL := "http://" + strings.TrimPrefix(strings.TrimPrefix(s.Endpoint, "http://"), "https://") + "/123456789012/tags-q"
	s.AWS(t, "sqs", "tag-queue", "--endpoint-url", s.Endpoint, "--queue-url", queueURL, "--tags", "team=orders,env=prod")

	t.Run("read", func(t *testing.T) {
		l := newTestLive(t, s, s.Endpoint, Options{})
		f, err := l.Function(context.Background(), "tags-fn")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]map[string]string{
			sc.queueARN: {"team": "orders", "env": "prod"},
			sc.failDest: {}, // absent from the answer: no tags
		}
		if !reflect.DeepEqual(f.ResourceTags, want) {
			t.Errorf("ResourceTags: got %v, want %v", f.ResourceTags, want)
		}
		for _, u := range f.Unseen {
			if u.Operation == "tag:GetResources" {
				t.Errorf("unseen %+v", u)
			}
		}
		other := "arn:aws:sqs:us-east-1:444455556666:theirs"
		bucket := "arn:aws:s3:::some-bucket"
		tags, unseen, err := l.ResourceTags(context.Background(), []string{sc.queueARN, other, bucket})
		if err != nil || len(unseen) != 0 {
			t.Fatalf("ResourceTags: %v %+v", err, unseen)
		}
		if _, ok := tags[other]; ok {
			t.Errorf("another account's queue was asked: %v", tags)
		}
		if _, ok := tags[bucket]; ok {
			t.Errorf("a bucket (no region in its ARN) was asked: %v", tags)
		}
		if tags[sc.queueARN]["team"] != "orders" {
			t.Errorf("got %v, want the queue's tags", tags)
		}
	})

	t.Run("refused", func(t *testing.T) {
		p := newFaultProxy(t, s.Endpoint)
		p.set("tag:GetResources", "deny", -1, 0)
		l := newTestLive(t, s, p.URL, Options{APIOptions: []func(*middleware.Stack) error{tagOperations}})
		f, err := l.Function(context.Background(), "tags-fn")
		if err != nil {
			t.Fatal(err)
		}
		if f.ResourceTags != nil {
			t.Errorf("ResourceTags: got %v, want none read", f.ResourceTags)
		}
		var got []account.Unseen
		for _, u := range f.Unseen {
			if u.Operation == "tag:GetResources" {
				got = append(got, u)
			}
		}
		if len(got) != 1 || got[0].Permission != "tag:GetResources" || !strings.Contains(got[0].Error, "AccessDenied") {
			t.Errorf("unseen: got %+v, want one tag:GetResources refusal with the permission", got)
		}
	})
}
