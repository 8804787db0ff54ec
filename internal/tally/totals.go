package tally

import (
	"reflect"
	"sync"
	"unsafe"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/domain"
)

// maxTotalTexts bounds the statements Total keeps; past it they start
// afresh.
const maxTotalTexts = 1024

// totalTexts keeps Total's statements, text and arguments, by the viewer's
// compiled scope filter and the filter on state and level. The scope filter
// is shared by the requests of a user until their grants or the policy
// change (authz's viewer cache), and renders the same text and arguments
// every time; building the statement is then most of Total's allocations.
type totalTexts struct {
	mu sync.Mutex
	m  map[totalTextKey]totalText
}

// totalTextKey identifies a statement: the filter function's identity (its
// closure's address; the entry holds the function, so the address cannot
// be reused while the entry lives), the table and the where input's state
// and level equalities.
type totalTextKey struct {
	pred    unsafe.Pointer
	table   string
	state   domain.HazardState
	level   domain.HazardLevel
	byState bool
	byLevel bool
}

type totalText struct {
	pred  authz.Predicate // keeps pred alive
	query string
	args  []any
}

// simpleWhere reports whether where filters on nothing but the equalities
// State and Level (or on nothing), and which.
func simpleWhere(where *ent.HazardWhereInput) (k totalTextKey, ok bool) {
	if where == nil {
		return k, true
	}
	val := reflect.ValueOf(where).Elem()
	typ := val.Type()
	for i := range val.NumField() {
		switch name := typ.Field(i).Name; name {
		case "State", "Level":
		default:
			if !val.Field(i).IsZero() {
				return k, false
			}
		}
	}
	if where.State != nil {
		k.byState, k.state = true, *where.State
	}
	if where.Level != nil {
		k.byLevel, k.level = true, *where.Level
	}
	return k, true
}

// totalStatement returns Total's statement for v and where: kept, or
// built (and kept when it can be).
func (c *Counter) totalStatement(v *authz.Viewer, where *ent.HazardWhereInput) (string, []any, error) {
	k, simple := simpleWhere(where)
	var pred authz.Predicate
	if simple {
		pred = v.Predicate("hazard", "read")
		k.pred = *(*unsafe.Pointer)(unsafe.Pointer(&pred))
		k.table = c.TableFor(v)
		c.totals.mu.Lock()
		t, ok := c.totals.m[k]
		c.totals.mu.Unlock()
		if ok {
			return t.query, t.args, nil
		}
	}
	s, err := c.selector(v, where)
	if err != nil {
		return "", nil, err
	}
	s.Select().AppendSelectExprAs(sql.Raw("COALESCE(SUM("+s.C(ColCount)+"), 0)"), "total")
	q, args := s.Query()
	if simple && k.pred != nil {
		c.totals.mu.Lock()
		if c.totals.m == nil || len(c.totals.m) >= maxTotalTexts {
			c.totals.m = map[totalTextKey]totalText{}
		}
		c.totals.m[k] = totalText{pred: pred, query: q, args: args}
		c.totals.mu.Unlock()
	}
	return q, args, nil
}
