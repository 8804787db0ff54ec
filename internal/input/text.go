package input

import "github.com/dutychain/dutychain/internal/apperr"

// Text checks s, a text given to a service outside the Guard (a cell of a
// directory import, a CLI argument) or through it, against the rule of a
// field documented "At most maxChars characters.": the same rule the Guard
// applies to GraphQL input, so that every entry point refuses the same
// values. Text of MultiLineFrom characters or more may hold line feeds,
// carriage returns and tabs; no text holds another control character or
// invalid UTF-8. It returns BAD_USER_INPUT naming field, with the
// violation's reason (TOO_LONG, CONTROL_CHARACTER, INVALID_UTF8), or nil.
//
// A service checks the value it was given, before it trims it, as the
// Guard does.
func Text(field, s string, maxChars int) error {
	v, bad := textViolation(field, Rule{MaxChars: maxChars, MultiLine: maxChars >= MultiLineFrom}, s)
	if !bad {
		return nil
	}
	return &apperr.Error{Code: apperr.BadUserInput, Field: field, Reason: v.Reason, Message: v.Message}
}

// OptionalText is Text of *s, nil when s is nil.
func OptionalText(field string, s *string, maxChars int) error {
	if s == nil {
		return nil
	}
	return Text(field, *s, maxChars)
}
