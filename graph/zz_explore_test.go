package graph_test

import (
	"fmt"
	"testing"

	"github.com/dutychain/dutychain/internal/apitest"
)

func TestZZExplore(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tok := s.As("chengguan.head")
		for _, q := range []string{
			`{ me { user { username } posts { title role unit { name } } scope { unitsByKind { kind count } sectors roles } } }`,
			`{ enterprises(first: 3) { totalCount edges { node { id name town { name } unit { name } supervisingDepartments { name } } } } }`,
			`{ node(id: "garbage") { id } }`,
			`{ enterprises(after: "zzz") { totalCount } }`,
			`query($k: UnitKind) { units(where: {kind: $k}) { totalCount } }`,
		} {
			r := s.Do(tok, q, map[string]any{"k": "PLANET"})
			fmt.Printf("%d %s %+v\n", r.Status, r.Data, r.Errors)
		}
		fmt.Println(s.Names(tok, "users", ""))
		fmt.Println(s.Names(tok, "posts", ""))
		fmt.Println(len(s.Names(s.As("county.head"), "units", "")))
	})
}
