package ent

// nodeBlocks hands out the nodes one query scans, from blocks that double in
// size, instead of one allocation per row: ent/entc.go (nodesInBlocks)
// rewrites every generated sqlAll to take its nodes here. A block lives as
// long as any of its nodes, so the first block of a query with a limit (a
// page, First, Only) is no larger than the limit, and small.
type nodeBlocks[T any] struct {
	block []T
	size  int // of the next block
}

// Sizes of the blocks: the first at most firstBlock (or the query's limit),
// each next one twice the last, up to maxBlock.
const (
	firstBlock = 8
	maxBlock   = 256
)

// newNodeBlocks returns the blocks of a query with the given limit (nil:
// none; its first block holds one node).
func newNodeBlocks[T any](limit *int) nodeBlocks[T] {
	size := 1
	if limit != nil && *limit > 0 {
		size = min(*limit, firstBlock)
	}
	return nodeBlocks[T]{size: size}
}

// take returns a zero node.
func (b *nodeBlocks[T]) take() *T {
	if len(b.block) == cap(b.block) {
		b.block = make([]T, 0, b.size)
		b.size = min(2*b.size, maxBlock)
	}
	b.block = b.block[:len(b.block)+1]
	return &b.block[len(b.block)-1]
}
