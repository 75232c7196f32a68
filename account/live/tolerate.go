package live

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"strings"
	"time"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// tolerateStringTimestamps lets the reader accept two answers of an
// emulator that the SDK would otherwise fail to deserialize, though they
// are good answers (the values are not used to decide anything):
//
//   - an async invoke config whose LastModified is an ISO 8601 string
//     instead of the epoch seconds the Lambda API returns (moto 5.2);
//   - CloudWatch Logs log streams and events whose epoch-millisecond
//     timestamps have a fraction (moto 5.2 writes them so for the logs of
//     an invocation it made itself, for instance when a secret is rotated).
func tolerateStringTimestamps(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("LambdaDoctorTolerateTimestamps",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if err != nil {
				return out, md, err
			}
			var fix func([]byte) []byte
			switch middleware.GetServiceID(ctx) + " " + middleware.GetOperationName(ctx) {
			case "Lambda GetFunctionEventInvokeConfig", "Lambda ListFunctionEventInvokeConfigs":
				fix = fixTimestamps
			case "CloudWatch Logs DescribeLogStreams", "CloudWatch Logs FilterLogEvents", "CloudWatch Logs DescribeLogGroups":
				fix = fixMilliseconds
			default:
				return out, md, err
			}
			resp, ok := out.RawResponse.(*smithyhttp.Response)
			if !ok || resp.StatusCode != 200 || resp.Body == nil {
				return out, md, err
			}
			body, rerr := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
			resp.Body.Close()
			if rerr != nil {
				return out, md, rerr
			}
			resp.Body = io.NopCloser(bytes.NewReader(fix(body)))
			return out, md, err
		}), middleware.After)
}

func fixTimestamps(body []byte) []byte {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return body
	}
	changed := fixLastModified(doc)
	if list, ok := doc["FunctionEventInvokeConfigs"].([]any); ok {
		for _, item := range list {
			if m, ok := item.(map[string]any); ok && fixLastModified(m) {
				changed = true
			}
		}
	}
	if !changed {
		return body
	}
	fixed, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return fixed
}

func fixLastModified(m map[string]any) bool {
	s, ok := m["LastModified"].(string)
	if !ok {
		return false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		m["LastModified"] = float64(t.UnixMilli()) / 1000
	} else {
		delete(m, "LastModified")
	}
	return true
}

// millisecondFields are the CloudWatch Logs fields that hold epoch
// milliseconds (integers in the API).
var millisecondFields = map[string]bool{
	"creationTime": true, "firstEventTimestamp": true, "lastEventTimestamp": true,
	"lastIngestionTime": true, "timestamp": true, "ingestionTime": true,
}

// fixMilliseconds drops the fraction of millisecond timestamps.
func fixMilliseconds(body []byte) []byte {
	if !bytes.Contains(body, []byte(".")) {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return body
	}
	changed := false
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if n, ok := child.(json.Number); ok && millisecondFields[k] {
					if f, err := n.Float64(); err == nil && strings.ContainsAny(string(n), ".eE") && !math.IsInf(f, 0) {
						v[k] = json.Number(formatInt(int64(f)))
						changed = true
					}
					continue
				}
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(doc)
	if !changed {
		return body
	}
	fixed, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return fixed
}

func formatInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
