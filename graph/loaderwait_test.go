package graph

import "time"

// The graph tests pin statements per request ("a page costs the same
// statements whatever its length"), which holds when a page's siblings reach
// a loader within its wait. On a loaded 2-core CI machine running both
// databases' halves in parallel, a sibling's goroutine was once scheduled
// more than 2 ms late and split a batch (9 statements became 11). The tests
// pin the batching, not the scheduler, so they give siblings 10 ms.
func init() { loaderWait = 10 * time.Millisecond }
