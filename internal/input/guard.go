package input

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/dutychain/dutychain/internal/apperr"
)

// Guard is the gqlgen extension that refuses an operation breaking an
// input rule before any resolver runs: every violation at once, each a
// BAD_USER_INPUT error naming its input path in extensions.field. The
// response has "data": null, so nothing of the operation ran.
type Guard struct {
	rules *Rules
}

var (
	_ graphql.HandlerExtension     = (*Guard)(nil)
	_ graphql.OperationInterceptor = (*Guard)(nil)
)

// ExtensionName implements graphql.HandlerExtension.
func (*Guard) ExtensionName() string { return "DutychainInputRules" }

// Validate implements graphql.HandlerExtension: it reads the rules from the
// served schema once; a schema whose input fields lack limits is refused.
func (g *Guard) Validate(es graphql.ExecutableSchema) error {
	r, err := FromSchema(es.Schema())
	if err != nil {
		return fmt.Errorf("input rules: %w", err)
	}
	g.rules = r
	return nil
}

// Rules are the rules read by Validate, for checks of input given outside
// GraphQL; nil before the schema was validated.
func (g *Guard) Rules() *Rules { return g.rules }

// InterceptOperation implements graphql.OperationInterceptor.
func (g *Guard) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil {
		return next(ctx)
	}
	vs := g.rules.Check(oc.Doc, oc.Operation, oc.Variables)
	if len(vs) == 0 {
		return next(ctx)
	}
	errs := make(gqlerror.List, len(vs))
	for i, v := range vs {
		errs[i] = &gqlerror.Error{Message: v.Message, Extensions: map[string]any{
			"code": string(apperr.BadUserInput), "field": v.Field, "reason": v.Reason,
		}}
	}
	return graphql.OneShot(&graphql.Response{Errors: errs})
}
