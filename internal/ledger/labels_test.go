package ledger

import (
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"
)

// ledgerEnums are the enums the ledgers show.
var ledgerEnums = []string{"HazardSource", "HazardLevel", "HazardState", "InspectionType", "InspectionKeyPeriod",
	"InspectionStatus", "RiskPointKind", "RiskLevel", "Sector", "EnterpriseScale", "UnitKind", "LetterState",
	"NoticeKind", "CertificateKind", "CertificateStatus", "EmergencyPlanKind", "EmergencyPlanTopic",
	"EmergencyPlanState", "DrillForm", "DutyKeyPeriod", "RescueTeamKind"}

func TestEveryEnumValueALedgerShowsHasAChineseLabel(t *testing.T) {
	for _, name := range ledgerEnums {
		def := schema.Types[name]
		require.NotNil(t, def, name)
		for _, v := range def.EnumValues {
			l := label(name, v.Name)
			require.True(t, containsHan(l), "%s.%s shows as %q", name, v.Name, l)
		}
	}
}

func TestPathIDsReadsAScopePath(t *testing.T) {
	require.Equal(t, []int{1, 5, 9}, pathIDs("/1/5/9/"))
	require.Empty(t, pathIDs("/"))
}

func containsHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
