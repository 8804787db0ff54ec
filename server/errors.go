package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/privacy"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/reqctx"
)

// classify maps any error to the client-facing *apperr.Error. It is the one
// place where internal errors become public codes and messages.
//
// A storage failure (database unavailable, disk full) is UNAVAILABLE, also
// when a service wrapped it as INTERNAL.
func classify(err error) *apperr.Error {
	e, coded := apperr.As(err)
	if !coded || e.Code == apperr.Internal {
		if o, down := db.Outage(err); down {
			return o
		}
	}
	if coded {
		return e
	}
	var verr *ent.ValidationError
	var cerr *ent.ConstraintError
	switch {
	case strings.HasPrefix(err.Error(), "cannot decode cursor"):
		return apperr.Wrap(apperr.BadUserInput, "malformed cursor", err)
	case errors.As(err, &verr):
		return &apperr.Error{Code: apperr.BadUserInput, Field: verr.Name, Message: fmt.Sprintf("invalid value for %s", verr.Name), Err: err}
	case errors.As(err, &cerr):
		return apperr.Wrap(apperr.Conflict, "the change conflicts with existing data", err)
	case ent.IsNotFound(err):
		return apperr.Wrap(apperr.NotFound, "not found", err)
	case errors.Is(err, privacy.Deny):
		return apperr.Wrap(apperr.Forbidden, "not allowed", err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return apperr.Wrap(apperr.Internal, "the request was cancelled", err)
	}
	return apperr.Wrap(apperr.Internal, "internal error", err)
}

// presentError turns a resolver error into a GraphQL error with
// extensions.code, logging the internal cause with the request id.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var gerr *gqlerror.Error
		if errors.As(err, &gerr) && gerr.Err == nil {
			// Parser and validation errors from gqlgen: their messages are
			// about the document, safe to show; give them our code.
			out := *gerr
			ext := map[string]any{}
			for k, v := range gerr.Extensions {
				ext[k] = v
			}
			switch ext["code"] {
			case errcode.ParseFailed, errcode.ValidationFailed:
				ext["reason"] = ext["code"]
				ext["code"] = string(apperr.BadUserInput)
			case nil:
				ext["code"] = string(apperr.BadUserInput)
			}
			out.Extensions = ext
			return &out
		}
		cause := err
		argPath := ""
		if gerr != nil && gerr.Err != nil {
			cause = gerr.Err
			argPath = argumentPath(ctx, gerr.Path)
		}
		ae := qualifyField(ctx, argPath, classify(cause))
		if ae.Code == apperr.Unavailable {
			markOutage(ctx, ae)
		}
		if ae.Code == apperr.Unauthenticated && ae.Reason == "" {
			withReason := *ae
			withReason.Reason = apperr.ReasonTokenInvalid
			ae = &withReason
		}
		out := graphql.DefaultErrorPresenter(ctx, errors.New(ae.Message))
		out.Message = ae.Message
		out.Extensions = map[string]any{"code": string(ae.Code)}
		if ae.Field != "" {
			out.Extensions["field"] = ae.Field
		}
		if ae.Reason != "" {
			out.Extensions["reason"] = ae.Reason
		}
		if id := reqctx.RequestID(ctx); id != "" && ae.Code == apperr.Internal {
			out.Extensions["requestId"] = id
		}
		l := reqctx.LoggerOr(ctx, log)
		if ae.Code == apperr.Internal {
			l.ErrorContext(ctx, "internal error", "err", cause, "path", out.Path.String())
		} else if ae.Code == apperr.Unavailable {
			l.WarnContext(ctx, "storage unavailable", "reason", ae.Reason, "err", cause, "path", out.Path.String())
		} else if ae.Err != nil {
			l.DebugContext(ctx, "request error", "code", ae.Code, "err", cause)
		}
		return out
	}
}

// recoverPanic turns a resolver panic into an INTERNAL error and logs it.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		reqctx.LoggerOr(ctx, log).ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(v))
		return apperr.Wrap(apperr.Internal, "internal error", fmt.Errorf("panic: %v", v))
	}
}

// argumentPath returns the part of an error's path below the current
// field (input.targets[2].unitID) when the error is about an argument of
// the field: gqlgen reports a value it cannot unmarshal (a malformed ID or
// Time, an unknown enum value) on the path of the argument.
func argumentPath(ctx context.Context, p ast.Path) string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return ""
	}
	field := fc.Path()
	if len(p) <= len(field) || ast.Path(p[:len(field)]).String() != field.String() {
		return ""
	}
	return ast.Path(p[len(field):]).String()
}

// qualifyField gives an error about a field (BAD_USER_INPUT, NOT_FOUND,
// CONFLICT) its field as an input path. An argument that did not unmarshal is BAD_USER_INPUT on its
// path (argPath). A service names fields relative to the input object, so
// in a root field with an `input` argument a field that is not itself an
// argument becomes input.<field>.
func qualifyField(ctx context.Context, argPath string, ae *apperr.Error) *apperr.Error {
	if argPath != "" {
		out := *ae
		if out.Code == apperr.Internal {
			out = apperr.Error{Code: apperr.BadUserInput, Message: "invalid value", Err: ae.Err}
		}
		if out.Code == apperr.BadUserInput && out.Field == "" {
			out.Field = argPath
			out.Message = argPath + ": " + out.Message
		}
		return &out
	}
	if ae.Field == "" {
		return ae
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Parent == nil || fc.Parent.Parent != nil || fc.Field.Definition == nil {
		return ae
	}
	args := fc.Field.Definition.Arguments
	first, _, _ := strings.Cut(strings.SplitN(ae.Field, "[", 2)[0], ".")
	if args.ForName("input") == nil || args.ForName(first) != nil {
		return ae
	}
	out := *ae
	out.Field = "input." + ae.Field
	return &out
}

// expandProblems reports each of a resolver's apperr.Problems as its own
// error, so a client learns of every bad field at once.
func expandProblems(ctx context.Context, res any, err error) (any, error) {
	if err == nil {
		return res, nil
	}
	ps := apperr.ProblemsOf(err)
	if len(ps) < 2 {
		return res, err
	}
	for _, p := range ps[:len(ps)-1] {
		graphql.AddError(ctx, p)
	}
	return res, ps[len(ps)-1]
}
