package errtext

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// parseCase is one pasted text and everything Parse must find in it. An
// empty msg means the message is the whole input with its whitespace
// collapsed.
type parseCase struct {
	name string
	in   string
	want Denial
	msg  string
}

func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := tc.want
			want.Message = tc.msg
			if want.Message == "" {
				want.Message = strings.Join(strings.Fields(tc.in), " ")
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("got  %+v\nwant %+v", *got, want)
			}
			if !IsDenialLine(tc.in) {
				t.Errorf("IsDenialLine(%q) = false, want true", tc.in)
			}
		})
	}
}

func TestParseNotDenial(t *testing.T) {
	for _, in := range []string{"", "   \n", "hello world", "Task timed out after 3.00 seconds"} {
		d, err := Parse(in)
		if !errors.Is(err, ErrNotDenial) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrNotDenial", in, d, err)
		}
	}
}
