package input

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
)

// Reasons (extensions.reason) of input-rule violations.
const (
	ReasonTooLong          = "TOO_LONG"
	ReasonControlCharacter = "CONTROL_CHARACTER"
	ReasonInvalidText      = "INVALID_UTF8"
	ReasonOutOfRange       = "OUT_OF_RANGE"
	ReasonMalformedTime    = "MALFORMED_TIME"
)

// Violation is one broken rule: Field is the input path
// (input.targets[2].description), Message is safe to show.
type Violation struct {
	Field   string
	Reason  string
	Message string
}

// Check returns every violation in the arguments of op's fields (at every
// depth), with vars the operation's coerced variables; none: the operation
// may run.
func (r *Rules) Check(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) []Violation {
	c := checker{rules: r, doc: doc, vars: vars}
	c.selections(op.SelectionSet)
	return c.out
}

// CheckFields returns every violation in values, the fields of one value of
// input type typ given outside GraphQL (the query string of an export):
// the same rules, each violation's Field the bare field name. A value of an
// unknown type breaks no rule here; the caller refuses unknown fields.
func (r *Rules) CheckFields(typ string, values map[string]any) []Violation {
	c := checker{rules: r, seen: map[string]bool{}}
	def := r.schema.Types[typ]
	if def == nil {
		return nil
	}
	for _, f := range def.Fields {
		if v, ok := values[f.Name]; ok {
			rule, _ := r.Field(typ, f.Name)
			c.value(f.Name, f.Type, rule, v)
		}
	}
	return c.out
}

type checker struct {
	rules *Rules
	doc   *ast.QueryDocument
	vars  map[string]any
	seen  map[string]bool // fragments checked; nil until the first
	out   []Violation
}

func (c *checker) selections(set ast.SelectionSet) {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			c.arguments(s)
			c.selections(s.SelectionSet)
		case *ast.InlineFragment:
			c.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			if c.seen[s.Name] {
				continue
			}
			if c.seen == nil {
				c.seen = map[string]bool{}
			}
			c.seen[s.Name] = true
			if f := c.doc.Fragments.ForName(s.Name); f != nil {
				c.selections(f.SelectionSet)
			}
		}
	}
}

func (c *checker) arguments(f *ast.Field) {
	if f.Definition == nil {
		return
	}
	for _, a := range f.Arguments {
		def := f.Definition.Arguments.ForName(a.Name)
		if def == nil || a.Value == nil {
			continue
		}
		v, err := a.Value.Value(c.vars)
		if err != nil {
			continue
		}
		c.value(a.Name, def.Type, argumentRule(def), v)
	}
}

// value checks v, of type typ at path, against rule (the rule of the field
// or argument holding it; list items share it).
func (c *checker) value(path string, typ *ast.Type, rule Rule, v any) {
	if v == nil {
		return
	}
	if typ.Elem != nil {
		items, ok := v.([]any)
		if !ok {
			c.value(path, typ.Elem, rule, v)
			return
		}
		for i, item := range items {
			c.value(path+"["+strconv.Itoa(i)+"]", typ.Elem, rule, item)
		}
		return
	}
	def := c.rules.schema.Types[typ.NamedType]
	if def == nil {
		return
	}
	switch {
	case def.Kind == ast.InputObject:
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		for _, f := range def.Fields {
			if fv, ok := m[f.Name]; ok {
				fr, _ := c.rules.Field(def.Name, f.Name)
				c.value(path+"."+f.Name, f.Type, fr, fv)
			}
		}
	case def.Name == "String":
		if s, ok := v.(string); ok {
			c.text(path, rule, s)
		}
	case def.Name == "Int":
		c.integer(path, rule, v)
	case def.Name == "Time":
		c.time(path, rule, v)
	}
}

func (c *checker) add(path, reason, format string, args ...any) {
	c.out = append(c.out, Violation{Field: path, Reason: reason, Message: path + " " + fmt.Sprintf(format, args...)})
}

func (c *checker) text(path string, rule Rule, s string) {
	if v, bad := textViolation(path, rule, s); bad {
		c.out = append(c.out, v)
	}
}

// textViolation is the violation of text s at path against rule, if any:
// invalid UTF-8 (or U+FFFD), a control character (but line feeds,
// carriage returns and tabs in multi-line text), or too many characters.
func textViolation(path string, rule Rule, s string) (Violation, bool) {
	if rule.MaxChars == 0 {
		rule.MaxChars = FilterMaxChars
	}
	bad := func(reason, format string, args ...any) (Violation, bool) {
		return Violation{Field: path, Reason: reason, Message: path + " " + fmt.Sprintf(format, args...)}, true
	}
	if !utf8.ValidString(s) {
		return bad(ReasonInvalidText, "is not valid UTF-8 text")
	}
	chars := 0
	for _, ch := range s {
		chars++
		switch {
		case ch == utf8.RuneError:
			return bad(ReasonInvalidText, "is not valid UTF-8 text: character %d is U+FFFD, the mark of invalid bytes", chars)
		case isControl(ch) && !(rule.MultiLine && (ch == '\n' || ch == '\r' || ch == '\t')):
			return bad(ReasonControlCharacter, "must not contain control characters: character %d is U+%04X", chars, ch)
		}
	}
	if chars > rule.MaxChars {
		return bad(ReasonTooLong, "must be at most %d characters; it has %d", rule.MaxChars, chars)
	}
	return Violation{}, false
}

// isControl reports C0 and C1 control characters and DEL.
func isControl(ch rune) bool { return ch < 0x20 || (ch >= 0x7f && ch <= 0x9f) }

func (c *checker) integer(path string, rule Rule, v any) {
	var n int64
	var ok bool
	switch x := v.(type) {
	case int64:
		n, ok = x, true
	case int:
		n, ok = int64(x), true
	case json.Number:
		i, err := x.Int64()
		n, ok = i, err == nil
	case float64:
		n, ok = int64(x), float64(int64(x)) == x
	case string:
		i, err := strconv.ParseInt(x, 10, 64)
		n, ok = i, err == nil
	}
	if !ok {
		c.add(path, ReasonOutOfRange, "must be an integer between %d and %d", rule.MinInt, rule.MaxInt)
		return
	}
	if rule.MinInt == 0 && rule.MaxInt == 0 {
		rule, _ = ruleOf("Int", "", false)
	}
	if n < rule.MinInt || n > rule.MaxInt {
		c.add(path, ReasonOutOfRange, "must be between %d and %d", rule.MinInt, rule.MaxInt)
	}
}

func (c *checker) time(path string, rule Rule, v any) {
	s, ok := v.(string)
	var t time.Time
	var err error
	if ok {
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	if !ok || err != nil {
		c.add(path, ReasonMalformedTime, "must be an RFC 3339 timestamp such as 2022-01-01T00:00:00Z")
		return
	}
	if rule.Until.IsZero() {
		rule, _ = ruleOf("Time", "", false)
	}
	if t.Before(rule.From) || !t.Before(rule.Until) {
		c.add(path, ReasonOutOfRange, "must be between %s and %s", rule.From.Format(time.DateOnly), rule.Until.AddDate(0, 0, -1).Format(time.DateOnly))
	}
}
