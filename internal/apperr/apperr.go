// Package apperr is the one vocabulary of client-facing errors. Every error a
// client sees is an *Error with a Code (extensions.code) and a public message;
// the wrapped cause is logged, never sent.
package apperr

import (
	"errors"
	"fmt"
)

// Code is the stable machine-readable error class (extensions.code).
type Code string

// The codes of the API conventions (brief §6).
const (
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	NotFound        Code = "NOT_FOUND"
	BadUserInput    Code = "BAD_USER_INPUT"
	Conflict        Code = "CONFLICT"
	Internal        Code = "INTERNAL"
)

// Error is a client-facing error.
type Error struct {
	Code Code
	// Message is safe to show to the client.
	Message string
	// Field names the offending input field, when there is one.
	Field string
	// Reason is an optional finer machine-readable code (e.g. QUERY_TOO_DEEP).
	Reason string
	// Err is the internal cause; logged, never sent.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error with code and public message.
func New(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Newf returns an error with code and a formatted public message.
func Newf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with code and public message wrapping cause.
func Wrap(code Code, msg string, cause error) *Error {
	return &Error{Code: code, Message: msg, Err: cause}
}

// Invalid returns a BAD_USER_INPUT error about one input field.
func Invalid(field, msg string) *Error {
	return &Error{Code: BadUserInput, Message: msg, Field: field}
}

// NotFoundf returns a NOT_FOUND error. Out-of-scope objects use it too, so a
// caller cannot tell "elsewhere" from "nowhere".
func NotFoundf(format string, args ...any) *Error { return Newf(NotFound, format, args...) }

// ForbiddenErr is the FORBIDDEN error for an action the caller's roles lack.
func ForbiddenErr(action string) *Error {
	return Newf(Forbidden, "your posts do not allow you to %s", action)
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// CodeOf returns the code of err, INTERNAL when it carries none.
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	return Internal
}
