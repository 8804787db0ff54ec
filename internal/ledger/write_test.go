package ledger

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// countingWriter counts the writes that reach it.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

func TestWriteZippedStreamsTheWorkbookIntoTheWriter(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	const rows = 2000
	for i := 1; i <= rows; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		if err := sw.SetRow(cell, []any{"隐患", i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var w countingWriter
	if err := writeZipped(f, &w); err != nil {
		t.Fatal(err)
	}
	if w.writes < 2 {
		t.Errorf("the workbook reached the writer in %d write(s): it was buffered whole", w.writes)
	}
	back, err := excelize.OpenReader(&w.Buffer)
	if err != nil {
		t.Fatalf("the streamed workbook does not open: %v", err)
	}
	got, err := back.GetRows("Sheet1")
	if err != nil || len(got) != rows || got[rows-1][1] != "2000" {
		t.Fatalf("read back %d rows (%v), want %d", len(got), err, rows)
	}
}
