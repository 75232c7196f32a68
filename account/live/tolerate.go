package live

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// tolerateStringTimestamps lets the reader accept an async invoke config
// whose LastModified is an ISO 8601 string instead of the epoch seconds
// the Lambda API returns (moto 5.2 answers strings, and the SDK then fails
// to deserialize an otherwise good answer). The value itself is not used.
func tolerateStringTimestamps(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("LambdaDoctorTolerateTimestamps",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if err != nil || middleware.GetServiceID(ctx) != "Lambda" {
				return out, md, err
			}
			switch middleware.GetOperationName(ctx) {
			case "GetFunctionEventInvokeConfig", "ListFunctionEventInvokeConfigs":
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
			resp.Body = io.NopCloser(bytes.NewReader(fixTimestamps(body)))
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
