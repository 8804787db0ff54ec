package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/gid"
)

// malformedNodeID stands for an id that did not decode; ent ids start at 1.
const malformedNodeID = 0

// lenientIDs implements @lenientIDs on nodes(ids:): each id is decoded on
// its own and a malformed one becomes malformedNodeID, so the resolver can
// answer null with an error at that position alone.
func lenientIDs(_ context.Context, obj any, _ graphql.Resolver) (any, error) {
	raw := obj.(map[string]any)["ids"]
	list, ok := raw.([]any)
	if !ok {
		// Input coercion: a single value stands for a list of one.
		list = []any{raw}
	}
	ids := make([]int, len(list))
	for i, v := range list {
		if id, err := gid.UnmarshalID(v); err == nil {
			ids[i] = id
		}
	}
	return ids, nil
}

// reportMalformedNodeID adds the error of the malformed id at index i, on
// the path of its entry (nodes.i) and naming the argument (ids[i]).
func reportMalformedNodeID(ctx context.Context, i int) {
	ctx = graphql.WithPathContext(ctx, graphql.NewPathWithIndex(i))
	graphql.AddError(ctx, &apperr.Error{Code: apperr.BadUserInput, Field: fmt.Sprintf("ids[%d]", i),
		Message: gid.ErrMalformed.Message})
}
