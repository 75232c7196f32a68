package template

import (
	"os"
	"testing"
)

// BenchmarkRead measures reading a plain template and a SAM template (the
// managed policy data is loaded once, on the first read that needs it).
func BenchmarkRead(b *testing.B) {
	for _, file := range []string{"../../fixtures/templates/corpus/cdk-rest-api.json", "../../fixtures/templates/sam/all-events-alias.yaml",
		"../../fixtures/templates/corpus/sam-crud-api.yaml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(file[len("../../fixtures/templates/"):], func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				if _, err := Parse(file, data, fixtureOpts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
