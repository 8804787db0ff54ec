package graph_test

import "github.com/dutychain/dutychain/internal/testdb"

// The graph tests run each test's SQLite and PostgreSQL halves in parallel:
// every half has its own database and server, and no graph test reads a
// process-wide counter.
func init() { testdb.ParallelDialects = true }
