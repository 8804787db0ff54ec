package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dutychain/dutychain/ent"
)

// DecodeWhere coerces value, the JSON object of a list's `where` argument
// given outside GraphQL (a ledger export's query string), to the Go value
// of input type typeName (e.g. *ent.HazardWhereInput) with the generated
// coercion the list itself uses, extension fields (a hazard's townID,
// overdue…) included. Field names are not checked here: the caller refuses
// unknown ones against the schema first.
func DecodeWhere(ctx context.Context, client *ent.Client, typeName string, value map[string]any) (any, error) {
	es := NewExecutableSchema(Config{Resolvers: &Resolver{Client: client}, Schema: ServedSchema(),
		Directives: DirectiveRoot{LenientIDs: lenientIDs}}).(*executableSchema)
	ec := newExecutionContext(&graphql.OperationContext{}, es, nil)
	switch typeName {
	case "HazardWhereInput":
		return decodeInput(ctx, ec.unmarshalInputHazardWhereInput, value)
	case "InspectionWhereInput":
		return decodeInput(ctx, ec.unmarshalInputInspectionWhereInput, value)
	case "ResponsibilityLetterWhereInput":
		return decodeInput(ctx, ec.unmarshalInputResponsibilityLetterWhereInput, value)
	case "EnterpriseWhereInput":
		return decodeInput(ctx, ec.unmarshalInputEnterpriseWhereInput, value)
	case "UnitWhereInput":
		return decodeInput(ctx, ec.unmarshalInputUnitWhereInput, value)
	case "NoticeWhereInput":
		return decodeInput(ctx, ec.unmarshalInputNoticeWhereInput, value)
	case "TrainingWhereInput":
		return decodeInput(ctx, ec.unmarshalInputTrainingWhereInput, value)
	case "CertificateWhereInput":
		return decodeInput(ctx, ec.unmarshalInputCertificateWhereInput, value)
	case "EmergencyPlanWhereInput":
		return decodeInput(ctx, ec.unmarshalInputEmergencyPlanWhereInput, value)
	case "DrillWhereInput":
		return decodeInput(ctx, ec.unmarshalInputDrillWhereInput, value)
	case "DutyRosterWhereInput":
		return decodeInput(ctx, ec.unmarshalInputDutyRosterWhereInput, value)
	case "RescueTeamWhereInput":
		return decodeInput(ctx, ec.unmarshalInputRescueTeamWhereInput, value)
	case "MaterialReserveWhereInput":
		return decodeInput(ctx, ec.unmarshalInputMaterialReserveWhereInput, value)
	case "RiskPointWhereInput":
		return decodeInput(ctx, ec.unmarshalInputRiskPointWhereInput, value)
	}
	return nil, fmt.Errorf("graph: no where input decoder for %s", typeName)
}

// decodeInput runs one generated input coercion and returns a pointer to
// its result, the form the list resolvers receive.
func decodeInput[T any](ctx context.Context, unmarshal func(context.Context, any) (T, error), value map[string]any) (any, error) {
	v, err := unmarshal(ctx, value)
	if err != nil {
		return nil, err
	}
	return &v, nil
}
