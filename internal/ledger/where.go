package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/graph"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/input"
)

// schema is the served schema: the where inputs' fields and the enums'
// descriptions.
var schema = graph.ServedSchema()

// ParseWhere reads raw, the JSON object of kind's where input (empty: no
// filter), the way the list's where argument is read: a field the input
// type does not have, or a value of the wrong shape, is BAD_USER_INPUT
// naming it in Field (where.stateIn); the input rules (text length,
// control characters, ranges) come back as violations; then the list's own
// coercion decodes it, ids and extension fields included (an id out of
// the viewer's scope is NOT_FOUND, as in the list).
func ParseWhere(ctx context.Context, c *ent.Client, rules *input.Rules, kind *Kind, raw string) (any, []input.Violation, error) {
	if raw == "" {
		return nil, nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.UseNumber()
	var value map[string]any
	if err := dec.Decode(&value); err != nil || dec.More() {
		return nil, nil, apperr.Invalid("where", "where must be one JSON object: the where input of the GraphQL list ("+kind.WhereType+")")
	}
	if err := knownFields("where", schema.Types[kind.WhereType], value); err != nil {
		return nil, nil, err
	}
	if vs := rules.CheckFields(kind.WhereType, value); len(vs) > 0 {
		for i := range vs {
			vs[i].Field = "where." + vs[i].Field
		}
		return nil, vs, nil
	}
	where, err := graph.DecodeWhere(ctx, c, kind.WhereType, value)
	if err != nil {
		return nil, nil, whereError(err)
	}
	return where, nil, nil
}

// knownFields refuses a field that input type def does not have, at any
// depth (GraphQL validation does this for the list).
func knownFields(path string, def *ast.Definition, value map[string]any) error {
	for name, v := range value {
		f := def.Fields.ForName(name)
		if f == nil {
			return apperr.Invalid(path+"."+name, fmt.Sprintf("%s has no field %q", def.Name, name))
		}
		inner := schema.Types[f.Type.Name()]
		if inner == nil || inner.Kind != ast.InputObject || v == nil {
			continue
		}
		items, isList := v.([]any)
		if !isList {
			items = []any{v}
		}
		for i, item := range items {
			m, ok := item.(map[string]any)
			at := path + "." + name
			if isList {
				at += "[" + strconv.Itoa(i) + "]"
			}
			if !ok {
				return apperr.Invalid(at, fmt.Sprintf("%s must be an object (%s)", at, inner.Name))
			}
			if err := knownFields(at, inner, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// whereError codes an error of the generated coercion: a coded error (an
// unknown town, a malformed id) keeps its code, anything else (a bad enum
// value, a value of the wrong type) is BAD_USER_INPUT on the path.
func whereError(err error) error {
	field := "where"
	var gerr *gqlerror.Error
	if errors.As(err, &gerr) && len(gerr.Path) > 0 {
		field += "." + gerr.Path.String()
	}
	if e, ok := apperr.As(err); ok {
		coded := *e // a copy: e may be a shared value such as gid.ErrMalformed
		if coded.Field == "" {
			coded.Field = field
		}
		return &coded
	}
	msg := err.Error()
	if gerr != nil {
		msg = gerr.Message
	}
	return apperr.Invalid(field, field+": "+msg)
}
