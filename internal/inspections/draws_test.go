package inspections

import (
	"slices"
	"testing"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/domain"
)

func TestDraw(t *testing.T) {
	roster := []int{11, 12, 13, 14, 15, 16}
	inspectors := []int{1, 2, 3, 4}
	conflicts := []domain.DrawConflict{{InspectorID: 1, EnterpriseUnitID: 11}, {InspectorID: 2, EnterpriseUnitID: 11}}
	t.Run("the same seed and rosters give the same draw", func(t *testing.T) {
		a, err := Draw(42, roster, inspectors, conflicts, 4, 2)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Draw(42, roster, inspectors, conflicts, 4, 2)
		if !slices.EqualFunc(a, b, func(x, y domain.DrawAssignment) bool {
			return x.EnterpriseUnitID == y.EnterpriseUnitID && slices.Equal(x.InspectorIDs, y.InspectorIDs)
		}) {
			t.Errorf("%v then %v", a, b)
		}
	})
	t.Run("every target gets distinct, sorted inspectors without a declared conflict", func(t *testing.T) {
		for seed := int64(0); seed < 50; seed++ {
			got, err := Draw(seed, roster, inspectors, conflicts, len(roster), 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range got {
				if len(a.InspectorIDs) != 2 || a.InspectorIDs[0] >= a.InspectorIDs[1] {
					t.Fatalf("seed %d: inspectors %v", seed, a.InspectorIDs)
				}
				for _, id := range a.InspectorIDs {
					if slices.Contains(conflicts, domain.DrawConflict{InspectorID: id, EnterpriseUnitID: a.EnterpriseUnitID}) {
						t.Fatalf("seed %d: inspector %d drawn for %d despite a conflict", seed, id, a.EnterpriseUnitID)
					}
				}
			}
		}
	})
	t.Run("more targets than the roster holds is refused", func(t *testing.T) {
		if _, err := Draw(1, roster, inspectors, nil, len(roster)+1, 2); err == nil {
			t.Error("drew more targets than enterprises")
		}
	})
	t.Run("too few inspectors without a conflict is refused", func(t *testing.T) {
		if _, err := Draw(1, []int{11}, []int{1, 2, 3}, conflicts, 1, 2); err == nil {
			t.Error("drew a conflicted inspector")
		}
	})
	t.Run("a stored draw is reproduced from its seed", func(t *testing.T) {
		got, _ := Draw(7, roster, inspectors, conflicts, 3, 2)
		d := &ent.RandomDraw{Seed: 7, EnterpriseRoster: roster, InspectorRoster: inspectors, Conflicts: conflicts,
			TargetCount: 3, InspectorsPerTarget: 2, Assignments: got}
		if !Reproduce(d) {
			t.Error("not reproduced")
		}
		d.Assignments[0].EnterpriseUnitID = 99
		if Reproduce(d) {
			t.Error("a tampered draw was reproduced")
		}
	})
}
