package jsontext

import (
	"encoding/json"
	"testing"
)

func TestMarshal(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"a && b <c>", `"a && b <c>"`},
		{map[string]string{"cmd": "x && y"}, `{"cmd":"x && y"}`},
		{[]int{1, 2}, `[1,2]`},
	}
	for _, tt := range tests {
		got, err := Marshal(tt.in)
		if err != nil || string(got) != tt.want {
			t.Errorf("Marshal(%v): got %s, %v; want %s", tt.in, got, err, tt.want)
		}
		std, _ := json.Marshal(tt.in)
		var a, b any
		if json.Unmarshal(got, &a) != nil || json.Unmarshal(std, &b) != nil {
			t.Errorf("Marshal(%v) is not the JSON encoding/json reads back", tt.in)
		}
	}
	if _, err := Marshal(func() {}); err == nil {
		t.Error("a func: no error")
	}
}
