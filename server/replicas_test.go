package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
)

const createUserDoc = `mutation($in: CreateUserInput!) { createUser(input: $in) { user { id } } }`

func createUserAs(s *apitest.Server, token string, n int) *apitest.Response {
	var unitID string
	var out struct {
		Units struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	s.MustDo(token, `{ units(where: {code: "TOWN-CG"}) { edges { node { id } } } }`, nil).Decode(s.T, &out)
	unitID = out.Units.Edges[0].Node.ID
	return s.Do(token, createUserDoc, map[string]any{"in": map[string]any{
		"username": fmt.Sprintf("replica.user%d", n), "displayName": "Replica test", "password": "a-long-password", "unitID": unitID,
	}})
}

// TestPolicyChangesReachEveryReplica runs two servers on one database, as two
// replicas behind a load balancer would, and changes the policy through one.
func TestPolicyChangesReachEveryReplica(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		fast := func(c *config.Config) { c.PolicyPollPeriod = 50 * time.Millisecond }
		a := apitest.Serve(t, d, fast)
		b := apitest.Serve(t, d, fast)
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		go a.App.Watch(ctx, "")
		go b.App.Watch(ctx, "")

		adminA, adminB := a.As("admin"), b.As("admin")
		require.Empty(t, createUserAs(b, adminB, 1).Errors, "the default policy lets an ADMIN create users")

		rule := map[string]any{"role": "ADMIN", "object": "user", "action": "create"}
		a.MustDo(adminA, `mutation($r: RemovePolicyRuleInput!) { removePolicyRule(input: $r) { rules { role } } }`, map[string]any{"r": rule})
		require.Equal(t, "FORBIDDEN", createUserAs(a, adminA, 2).Code(), "the replica that made the change applies it at once")

		// A fresh username per attempt: until B reloads, its attempts succeed.
		n := 3
		require.Eventually(t, func() bool { n++; return createUserAs(b, adminB, n).Code() == "FORBIDDEN" }, 10*time.Second, 20*time.Millisecond,
			"the other replica picks the change up")

		a.MustDo(adminA, `mutation($r: AddPolicyRuleInput!) { addPolicyRule(input: $r) { rules { role } } }`, map[string]any{"r": rule})
		require.Eventually(t, func() bool { n++; return len(createUserAs(b, adminB, n).Errors) == 0 }, 10*time.Second, 20*time.Millisecond,
			"restoring the rule reaches the other replica too")
	})
}

// TestPolicyIsEditedOnlyAtTheTenantRoot checks who may read and change the
// policy.
func TestPolicyIsEditedOnlyAtTheTenantRoot(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		rule := map[string]any{"r": map[string]any{"role": "DEPUTY", "object": "unit", "action": "update"}}
		doc := `mutation($r: AddPolicyRuleInput!) { addPolicyRule(input: $r) { rules { role object action } } }`
		for _, user := range []string{"chengguan.admin", "county.head", "auditor.county", "bureau.chief"} {
			t.Run(user+" may not change the policy", func(t *testing.T) {
				require.Equal(t, "FORBIDDEN", s.Do(s.As(user), doc, rule).Code())
			})
		}
		t.Run("the county admin may, and a duplicate is a conflict", func(t *testing.T) {
			s.MustDo(s.As("admin"), doc, rule)
			require.Equal(t, "CONFLICT", s.Do(s.As("admin"), doc, rule).Code())
		})
		t.Run("an unknown object type is bad input", func(t *testing.T) {
			bad := map[string]any{"r": map[string]any{"role": "DEPUTY", "object": "spaceship", "action": "update"}}
			require.Equal(t, "BAD_USER_INPUT", s.Do(s.As("admin"), doc, bad).Code())
		})
		t.Run("a town head cannot read the tenant policy", func(t *testing.T) {
			require.Equal(t, "FORBIDDEN", s.Do(s.As("chengguan.head"), `{ policyRules { role } }`, nil).Code())
		})
		t.Run("the neighbor admin's policy is separate", func(t *testing.T) {
			var out struct {
				PolicyRules []struct{ Role, Object, Action string }
			}
			s.MustDo(s.As("neighbor.admin"), `{ policyRules { role object action } }`, nil).Decode(t, &out)
			for _, r := range out.PolicyRules {
				require.False(t, r.Role == "DEPUTY" && r.Object == "unit" && r.Action == "update", "a demo change leaked into 邻县")
			}
		})
	})
}
