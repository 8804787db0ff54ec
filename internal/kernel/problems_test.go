package kernel

import (
	"errors"
	"testing"

	"github.com/dutychain/dutychain/internal/apperr"
)

func TestProblemsCollectEveryBadField(t *testing.T) {
	boom := errors.New("connection reset")
	for _, tc := range []struct {
		name       string
		fill       func(p *Problems)
		wantFields []string
		wantCode   apperr.Code
	}{
		{"no problem is no error", func(p *Problems) { p.Check(false, "name", "bad"); p.Add(nil) }, nil, ""},
		{"one problem is that error", func(p *Problems) { p.Check(true, "name", "bad") }, []string{"name"}, apperr.BadUserInput},
		{"three problems are reported together, in order", func(p *Problems) {
			p.Check(true, "name", "bad")
			p.Add(apperr.Invalid("code", "bad"))
			p.Add(apperr.Join(apperr.Invalid("targets[0].description", "bad"), apperr.Invalid("targets[1].description", "bad")))
		}, []string{"name", "code", "targets[0].description", "targets[1].description"}, apperr.BadUserInput},
		{"an internal error wins over input problems", func(p *Problems) {
			p.Check(true, "name", "bad")
			p.Add(boom)
		}, nil, apperr.Internal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p Problems
			tc.fill(&p)
			err := p.Err()
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if got := apperr.CodeOf(err); got != tc.wantCode {
				t.Fatalf("code %s, want %s (%v)", got, tc.wantCode, err)
			}
			var fields []string
			for _, e := range apperr.ProblemsOf(err) {
				fields = append(fields, e.Field)
			}
			if tc.wantCode == apperr.BadUserInput && len(fields) != len(tc.wantFields) {
				t.Fatalf("fields %v, want %v", fields, tc.wantFields)
			}
			for i := range tc.wantFields {
				if fields[i] != tc.wantFields[i] {
					t.Errorf("fields %v, want %v", fields, tc.wantFields)
				}
			}
		})
	}
}
