package db

import (
	"strconv"
	"strings"

	"entgo.io/ent/dialect"
)

// Rebind turns the ? placeholders of query into PostgreSQL's $1, $2, … when
// dl is dialect.Postgres, for hand-written SQL sent to both databases. The
// queries it serves hold no ? inside string literals.
func Rebind(dl, query string) string {
	if dl != dialect.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
