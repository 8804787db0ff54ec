// Package apperr is the one vocabulary of client-facing errors. Every error a
// client sees is an *Error with a Code (extensions.code) and a public message;
// the wrapped cause is logged, never sent.
package apperr

import (
	"errors"
	"fmt"
	"strings"
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
	// Unavailable is a temporary failure of the server's storage (database
	// down, disk full): retry later; it says nothing about the client.
	Unavailable Code = "UNAVAILABLE"
	// RateLimited: the caller sent more requests than their rate limit
	// allows; retry after the response's Retry-After.
	RateLimited Code = "RATE_LIMITED"
)

// Reasons (extensions.reason) of UNAUTHENTICATED errors: what the client
// should do next.
const (
	// ReasonTokenMissing: no access token was sent; sign in.
	ReasonTokenMissing = "TOKEN_MISSING"
	// ReasonTokenExpired: the token's lifetime is over; refresh it.
	ReasonTokenExpired = "TOKEN_EXPIRED"
	// ReasonTokenInvalid: the token is malformed, forged or names no user;
	// sign in again.
	ReasonTokenInvalid = "TOKEN_INVALID"
	// ReasonTokenRevoked: the session was ended (sign-out, password change
	// or reset, account disabled, last post ended); sign in again.
	ReasonTokenRevoked = "TOKEN_REVOKED"
	// ReasonCredentialsInvalid: wrong tenant, username or password.
	ReasonCredentialsInvalid = "CREDENTIALS_INVALID"
	// ReasonLoginThrottled: too many failed sign-ins; wait.
	ReasonLoginThrottled = "LOGIN_THROTTLED"
)

// Reasons of UNAVAILABLE errors.
const (
	// ReasonDatabaseUnavailable: the database cannot be reached or refuses
	// work for now (restart, too many connections).
	ReasonDatabaseUnavailable = "DATABASE_UNAVAILABLE"
	// ReasonStorageFull: the database or file store is full or read-only.
	ReasonStorageFull = "STORAGE_FULL"
)

// Unauth returns an UNAUTHENTICATED error with its reason; every
// authentication failure is built here so that none lacks a reason.
func Unauth(reason, msg string, cause error) *Error {
	return &Error{Code: Unauthenticated, Reason: reason, Message: msg, Err: cause}
}

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

// Problems are several client-facing errors of one request (each input
// field that failed its check); the GraphQL layer reports each as its own
// error. Its code is the code of the first.
type Problems []*Error

// Error implements error.
func (p Problems) Error() string {
	msgs := make([]string, len(p))
	for i, e := range p {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap lets errors.As find the first problem.
func (p Problems) Unwrap() []error {
	out := make([]error, len(p))
	for i, e := range p {
		out[i] = e
	}
	return out
}

// Join returns the errors among errs as one: nil when there are none, the
// error itself when there is one, Problems when all are client-facing, and
// otherwise the first error that is not (an internal fault wins).
func Join(errs ...error) error {
	var problems Problems
	for _, err := range errs {
		if err == nil {
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			return err
		}
		if ps, ok := err.(Problems); ok {
			problems = append(problems, ps...)
			continue
		}
		problems = append(problems, e)
	}
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return problems[0]
	}
	return problems
}

// ProblemsOf returns the client-facing errors err stands for: each of
// Problems, or err alone.
func ProblemsOf(err error) []*Error {
	var ps Problems
	if errors.As(err, &ps) {
		return ps
	}
	if e, ok := As(err); ok {
		return []*Error{e}
	}
	return nil
}
