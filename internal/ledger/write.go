package ledger

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/auditlog"
)

// MaxXLSXRows is the most data rows a sheet holds (Excel's limit less the
// header); a larger ledger asks for CSV or a narrower filter.
const MaxXLSXRows = 1_048_575

// Formats of dates and times in CSV cells (XLSX cells are dates with these
// number formats).
const (
	csvDay    = "2006-01-02"
	csvMoment = "2006-01-02 15:04"
)

// FileName is the download name of kind's ledger in format.
func FileName(kind *Kind, format string) string { return kind.Name + "." + format }

// WriteCSV writes kind's ledger as CSV: UTF-8 with a byte-order mark (Excel
// reads UTF-8 without one as the local code page, garbling Chinese), RFC
// 4180 quoting, CRLF line ends as Excel writes them, the header row first,
// dates as yyyy-mm-dd and times as yyyy-mm-dd hh:mm in the tenant's zone,
// and every text cell defused against formula injection
// (auditlog.NeutraliseCell). before runs once the first row is read (or
// the ledger is known to be empty), before anything is written, so an
// error up to then can still get its status.
func (x *Exporter) WriteCSV(ctx context.Context, kind *Kind, where any, w io.Writer, before func() error) error {
	var cw *csv.Writer
	start := func() error {
		if cw != nil {
			return nil
		}
		if err := before(); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
		cw = csv.NewWriter(w)
		cw.UseCRLF = true
		header := make([]string, len(kind.Columns))
		for i, c := range kind.Columns {
			header[i] = c.Header
		}
		return cw.Write(header)
	}
	record := make([]string, len(kind.Columns))
	err := x.Rows(ctx, kind, where, func(row []any) error {
		if err := start(); err != nil {
			return err
		}
		for i, v := range row {
			record[i] = csvCell(v)
		}
		return cw.Write(record)
	})
	if err != nil {
		return err
	}
	if err := start(); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func csvCell(v any) string {
	switch v := v.(type) {
	case string:
		return auditlog.NeutraliseCell(v)
	case int:
		return strconv.Itoa(v)
	case Day:
		return time.Time(v).Format(csvDay)
	case Moment:
		return time.Time(v).Format(csvMoment)
	}
	return auditlog.NeutraliseCell(fmt.Sprint(v))
}

// WriteXLSX writes kind's ledger as an Excel workbook of one sheet named
// after the ledger: a bold header row, frozen, with a filter on every
// column (an Excel table: the stream writer's way to a filter), column
// widths for Chinese text, dates as real dates (yyyy-mm-dd, yyyy-mm-dd
// hh:mm) in the tenant's zone. Rows are streamed to excelize's stream
// writer, which spills to a temporary file past a few megabytes; the
// workbook is zipped straight into w at the end, after before (excelize's
// own Write would first build the whole zip in a memory buffer, which
// grows with the row count), so memory stays flat.
func (x *Exporter) WriteXLSX(ctx context.Context, kind *Kind, where any, w io.Writer, before func() error) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", kind.Title); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(kind.Title)
	if err != nil {
		return err
	}
	dayStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: strPtr("yyyy-mm-dd")})
	if err != nil {
		return err
	}
	momentStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: strPtr("yyyy-mm-dd hh:mm")})
	if err != nil {
		return err
	}
	headStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, c := range kind.Columns {
		if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(kind.Columns))
	for i, c := range kind.Columns {
		header[i] = excelize.Cell{StyleID: headStyle, Value: c.Header}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	n := 1
	cells := make([]any, len(kind.Columns))
	err = x.Rows(ctx, kind, where, func(row []any) error {
		if n > MaxXLSXRows {
			return apperr.Newf(apperr.BadUserInput, "the %s ledger has more than %d rows, more than a sheet holds: export CSV or narrow the filter", kind.Name, MaxXLSXRows)
		}
		n++
		for i, v := range row {
			switch v := v.(type) {
			case Day:
				cells[i] = excelize.Cell{StyleID: dayStyle, Value: time.Time(v)}
			case Moment:
				cells[i] = excelize.Cell{StyleID: momentStyle, Value: time.Time(v)}
			default:
				cells[i] = v
			}
		}
		return sw.SetRow("A"+strconv.Itoa(n), cells)
	})
	if err != nil {
		return err
	}
	// A table needs a data row: an empty ledger's filter covers one blank row.
	last, err := excelize.CoordinatesToCellName(len(kind.Columns), max(n, 2))
	if err != nil {
		return err
	}
	if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: "ledger", StyleName: "TableStyleLight1"}); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := before(); err != nil {
		return err
	}
	return writeZipped(f, w)
}

// writeZipped writes the workbook f to w through a zip writer on w itself:
// excelize's Write zips into a bytes.Buffer and copies that to w, holding
// the whole compressed file in memory. The buffer it passes stays empty.
// (Its one post-processing step on that buffer, zip64 headers, is for
// parts over 4 GiB, beyond any sheet's 1,048,576 rows of ledger columns.)
func writeZipped(f *excelize.File, w io.Writer) error {
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	_, err := f.WriteTo(io.Discard)
	return err
}

func strPtr(s string) *string { return &s }
