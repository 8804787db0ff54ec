package tracing

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// GraphQL is the gqlgen extension that traces each operation and each field
// that has a resolver of its own (not plain struct fields or ent getters).
// Add it only while tracing is on: Enabled.
type GraphQL struct{}

var (
	_ graphql.HandlerExtension    = GraphQL{}
	_ graphql.ResponseInterceptor = GraphQL{}
	_ graphql.FieldInterceptor    = GraphQL{}
)

// Span attributes of GraphQL spans (OpenTelemetry's GraphQL conventions).
// The document itself is not recorded: it may hold literal passwords.
const (
	operationNameKey = attribute.Key("graphql.operation.name")
	operationTypeKey = attribute.Key("graphql.operation.type")
	fieldPathKey     = attribute.Key("graphql.field.path")
)

// ExtensionName names the extension in gqlgen.
func (GraphQL) ExtensionName() string { return "Tracing" }

// Validate accepts every schema.
func (GraphQL) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse wraps one operation's execution (one response; each
// event of a subscription) in a span named "<type> <name>".
func (GraphQL) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	name, kind := "", ""
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		name = oc.OperationName
		if oc.Operation != nil {
			kind = string(oc.Operation.Operation)
			if name == "" {
				name = oc.Operation.Name
			}
		}
	}
	spanName := "graphql"
	if kind != "" {
		spanName = kind
		if name != "" {
			spanName += " " + name
		}
	}
	ctx, span := tracer().Start(ctx, spanName, trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(operationNameKey.String(name), operationTypeKey.String(kind)))
	defer span.End()
	resp := next(ctx)
	if resp != nil && len(resp.Errors) > 0 {
		span.SetStatus(codes.Error, resp.Errors[0].Message)
	}
	return resp
}

// InterceptField wraps a field with a resolver of its own in a span named
// "<Object>.<field>"; other fields pass untouched.
func (GraphQL) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver {
		return next(ctx)
	}
	ctx, span := tracer().Start(ctx, fc.Object+"."+fc.Field.Name,
		trace.WithAttributes(fieldPathKey.String(fc.Path().String())))
	defer span.End()
	res, err := next(ctx)
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	} else if errs := graphql.GetFieldErrors(ctx, fc); len(errs) > 0 {
		span.SetStatus(codes.Error, errs[0].Message)
	}
	return res, err
}
