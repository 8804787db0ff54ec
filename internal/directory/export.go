package directory

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/domain"
)

// WriteTemplate writes the empty workbook to fill: the three sheets with
// their headers.
func WriteTemplate(w io.Writer) error {
	return write(w, map[string][][]any{})
}

// Export writes the directory the caller reads — its enterprises, the
// users and the posts — in the template's layout, so that it imports
// again. Passwords are not exported: imported users get a random one and
// are listed for a reset. Workshops and teams stay with their enterprise.
func Export(ctx context.Context, c *ent.Client) (map[string][][]any, error) {
	rows := map[string][][]any{}
	es, err := c.Enterprise.Query().WithUnit().WithTown().Order(ent.Asc(enterprise.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read enterprises: %w", err)
	}
	for _, e := range es {
		code, town := "", ""
		if e.Edges.Unit != nil {
			code = e.Edges.Unit.Code
		}
		if e.Edges.Town != nil {
			town = e.Edges.Town.Code
		}
		rows[SheetEnterprises] = append(rows[SheetEnterprises], []any{e.Name, code, town, e.CreditCode, sectorLabels[e.Sector],
			scaleLabels[e.Scale], e.IndustryCategory, e.Address, e.LegalRepresentative, e.SafetyManager, e.ContactPhone, e.EmployeeCount})
	}
	us, err := c.User.Query().WithUnit().Order(ent.Asc(user.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	for _, u := range us {
		if u.Edges.Unit == nil || inside(u.Edges.Unit) {
			continue
		}
		home := u.Edges.Unit.Code
		rows[SheetUsers] = append(rows[SheetUsers], []any{u.Username, u.DisplayName, u.Phone, home, ""})
	}
	ps, err := c.Post.Query().WithUser().WithUnit().Order(ent.Asc(post.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read posts: %w", err)
	}
	for _, p := range ps {
		if p.Edges.User == nil || p.Edges.Unit == nil || inside(p.Edges.Unit) {
			continue
		}
		var sectors []string
		for _, s := range p.Sectors {
			sectors = append(sectors, sectorLabels[s])
		}
		to := ""
		if p.ValidTo != nil {
			to = p.ValidTo.In(zone).Format("2006-01-02")
		}
		rows[SheetPosts] = append(rows[SheetPosts], []any{p.Edges.User.Username, p.Edges.Unit.Code, roleLabels[p.Role], p.Title,
			strings.Join(sectors, "、"), p.ValidFrom.In(zone).Format("2006-01-02"), to})
	}
	return rows, nil
}

// inside reports a unit within an enterprise (a workshop or a team): the
// enterprise keeps its own internal structure; the directory holds the
// government units and the enterprises.
func inside(u *ent.Unit) bool {
	return u.Kind == domain.KindWorkshop || u.Kind == domain.KindTeam
}

// WriteExport writes rows (from Export) as the workbook.
func WriteExport(w io.Writer, rows map[string][][]any) error { return write(w, rows) }

// write writes the three sheets, streamed, with frozen headers and filters.
func write(w io.Writer, rows map[string][][]any) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return fmt.Errorf("header style: %w", err)
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.Name); err != nil {
				return fmt.Errorf("name sheet: %w", err)
			}
		} else if _, err := f.NewSheet(s.Name); err != nil {
			return fmt.Errorf("add sheet %s: %w", s.Name, err)
		}
		sw, err := f.NewStreamWriter(s.Name)
		if err != nil {
			return fmt.Errorf("stream sheet %s: %w", s.Name, err)
		}
		header := make([]any, len(s.Columns))
		for j, c := range s.Columns {
			header[j] = excelize.Cell{StyleID: bold, Value: c.Header}
			if err := sw.SetColWidth(j+1, j+1, c.Width); err != nil {
				return fmt.Errorf("column width: %w", err)
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return fmt.Errorf("freeze header: %w", err)
		}
		if err := sw.SetRow("A1", header); err != nil {
			return fmt.Errorf("write header: %w", err)
		}
		body := rows[s.Name]
		for j, r := range body {
			cell, _ := excelize.CoordinatesToCellName(1, j+2)
			if err := sw.SetRow(cell, r); err != nil {
				return fmt.Errorf("write row: %w", err)
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("flush sheet %s: %w", s.Name, err)
		}
		last, _ := excelize.CoordinatesToCellName(len(s.Columns), len(body)+1)
		if err := f.AutoFilter(s.Name, "A1:"+last, nil); err != nil {
			return fmt.Errorf("filter sheet %s: %w", s.Name, err)
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

func sortStrings(xs []string) { sort.Strings(xs) }
