package input

import (
	"math"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/dutychain/dutychain/internal/apperr"
)

const testSDL = `
scalar Time
input NoteInput {
  "A short title. At most 5 characters."
  title: String
  "Free text. At most 2000 characters."
  body: String
  "Between 1 and 10."
  count: Int
  "Between 2000-01-01 and 2100-12-31."
  due: Time
  tags: [TagInput!]
}
input TagInput {
  "At most 3 characters."
  name: String!
}
type Query { ok: Boolean }
type Mutation { addNote(input: NoteInput!): Boolean }
`

func mustSchema(t *testing.T, sdl string) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Input: sdl})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFromSchemaRefusesAnUndocumentedField(t *testing.T) {
	for _, tc := range []struct{ name, field string }{
		{"a String without its limit", `name: String`},
		{"an Int without its range", `"Some count." count: Int`},
		{"a Time without its range", `"At most 3 characters." due: Time`},
		{"an Int range past 32 bits", `"Between 0 and 4294967296." count: Int`},
		{"a range upside down", `"Between 10 and 1." count: Int`},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			s := mustSchema(t, "scalar Time\ninput XInput { "+tc.field+" }\ntype Query { x(input: XInput): Boolean }")
			if _, err := FromSchema(s); err == nil || !strings.Contains(err.Error(), "XInput.") {
				t.Fatalf("got %v, want an error naming the field", err)
			}
		})
	}
}

func TestCheckReportsEveryViolationWithItsPath(t *testing.T) {
	rules, err := FromSchema(mustSchema(t, testSDL))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		input map[string]any
		want  []string // field:reason
	}{
		{"a valid note passes", map[string]any{"title": "abc", "body": "line\nline\ttab", "count": int64(10), "due": "2100-12-31T23:59:59Z"}, nil},
		{"a title one character too long", map[string]any{"title": "界界界界界界"}, []string{"input.title:" + ReasonTooLong}},
		{"characters, not bytes, are counted", map[string]any{"title": "界界界界界"}, nil},
		{"a line feed in a one-line text", map[string]any{"title": "a\nb"}, []string{"input.title:" + ReasonControlCharacter}},
		{"a NUL in a multi-line text", map[string]any{"body": "a\x00b"}, []string{"input.body:" + ReasonControlCharacter}},
		{"DEL", map[string]any{"title": "a\x7f"}, []string{"input.title:" + ReasonControlCharacter}},
		{"invalid UTF-8", map[string]any{"body": "a\xffb"}, []string{"input.body:" + ReasonInvalidText}},
		{"U+FFFD", map[string]any{"body": "a\uFFFDb"}, []string{"input.body:" + ReasonInvalidText}},
		{"a count past its range", map[string]any{"count": int64(11)}, []string{"input.count:" + ReasonOutOfRange}},
		{"a count past 32 bits", map[string]any{"count": int64(math.MaxInt32) + 1}, []string{"input.count:" + ReasonOutOfRange}},
		{"a due date in 9999", map[string]any{"due": "9999-01-01T00:00:00Z"}, []string{"input.due:" + ReasonOutOfRange}},
		{"a due date that is no time", map[string]any{"due": "soon"}, []string{"input.due:" + ReasonMalformedTime}},
		{"a bad name in a list of objects", map[string]any{"tags": []any{map[string]any{"name": "ok"}, map[string]any{"name": "long"}}},
			[]string{"input.tags[1].name:" + ReasonTooLong}},
		{"three bad fields at once", map[string]any{"title": "a\x00", "count": int64(0), "due": "1999-12-31T23:59:59Z"},
			[]string{"input.title:" + ReasonControlCharacter, "input.count:" + ReasonOutOfRange, "input.due:" + ReasonOutOfRange}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQuery(rules.schema, `mutation($in: NoteInput!) { addNote(input: $in) }`)
			if errs != nil {
				t.Fatal(errs)
			}
			var got []string
			for _, v := range rules.Check(doc, doc.Operations[0], map[string]any{"in": tc.input}) {
				got = append(got, v.Field+":"+v.Reason)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTextAppliesTheGuardsRuleOutsideGraphQL(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		max         int
		want        string // reason; "" passes
	}{
		{"a name passes", "导入企业", 5, ""},
		{"a line feed in a one-line text is refused", "导入\n企业", 100, ReasonControlCharacter},
		{"a tab in a one-line text is refused", "导入\t员", 100, ReasonControlCharacter},
		{"a C1 control (CSI) is refused", "导入\u009b31m企业", 100, ReasonControlCharacter},
		{"DEL is refused", "a\x7f", 100, ReasonControlCharacter},
		{"a multi-line text keeps its line feeds and tabs", "一行\n二行\t", MultiLineFrom, ""},
		{"a NUL in a multi-line text is refused", "a\x00b", MultiLineFrom, ReasonControlCharacter},
		{"invalid UTF-8 is refused", "a\xffb", 100, ReasonInvalidText},
		{"characters, not bytes, are counted", "界界界界界", 5, ""},
		{"one character too many is refused", "界界界界界界", 5, ReasonTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Text("name", tc.value, tc.max)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.BadUserInput || e.Field != "name" || e.Reason != tc.want {
				t.Fatalf("got %#v, want BAD_USER_INPUT on name with reason %s", err, tc.want)
			}
		})
	}
}
