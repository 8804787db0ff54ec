// Package audit is the tamper-evident audit log (审计日志): the event
// record, its canonical encoding and SHA-256 hash chain, the append
// function every writer goes through, chain verification, and the driver
// wrapper that gives a mutation outside a transaction an implicit one.
//
// It deliberately imports no generated ent code: it talks SQL through the
// ent client's ExecContext/QueryContext (Querier), so that ent/schema may
// import it and the append is exactly the statements listed in
// docs/AUDIT.md. The ent hook that calls Append for every mutation lives in
// authz (it needs the viewer's grants to name the post acted under).
package audit

import (
	"context"
	"database/sql"
)

// ObjectType is the policy object type of audit events ("p, t, AUDITOR,
// audit, read"). A "*" rule does not cover it: see authz.TypeMatch.
const ObjectType = "audit"

// Operation is what an event records.
type Operation string

// Operations of the audit log.
const (
	OpCreate         Operation = "CREATE"
	OpUpdate         Operation = "UPDATE"
	OpDelete         Operation = "DELETE"
	OpLogin          Operation = "LOGIN"
	OpLoginFailed    Operation = "LOGIN_FAILED"
	OpRefresh        Operation = "REFRESH"
	OpRefreshReuse   Operation = "REFRESH_REUSE"
	OpLogout         Operation = "LOGOUT"
	OpPasswordChange Operation = "PASSWORD_CHANGE"
	OpPolicyChange   Operation = "POLICY_CHANGE"
)

var allOperations = []Operation{OpCreate, OpUpdate, OpDelete, OpLogin, OpLoginFailed, OpRefresh,
	OpRefreshReuse, OpLogout, OpPasswordChange, OpPolicyChange}

// Operations lists the operation codes (the ent enum's values).
func Operations() []string {
	out := make([]string, len(allOperations))
	for i, o := range allOperations {
		out[i] = string(o)
	}
	return out
}

// SystemActor is the actor name of changes made by the server itself
// (seeding, migrations) with no signed-in user behind them.
const SystemActor = "system"

// NoScope is the scope path of events that belong to no unit (a tenant's
// creation, a sign-in to an unknown tenant). No grant's path is a prefix
// of it, so only the system (the `audit` command) reads them.
const NoScope = "/"

// Querier runs SQL; *ent.Client and *ent.Tx's client satisfy it, running
// inside the transaction when the client is transactional.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

type opKey struct{}

// WithOperation makes the changes recorded under ctx carry op instead of
// the generic UPDATE (e.g. PASSWORD_CHANGE for the password update of
// changePassword), so that one mutation still yields one event.
func WithOperation(ctx context.Context, op Operation) context.Context {
	return context.WithValue(ctx, opKey{}, op)
}

// OperationFrom returns the override set by WithOperation, or "".
func OperationFrom(ctx context.Context) Operation {
	op, _ := ctx.Value(opKey{}).(Operation)
	return op
}
