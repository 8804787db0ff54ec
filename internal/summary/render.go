package summary

import (
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/gomutex/godocx"
)

// Content types of the two renderings.
const (
	HTMLContentType = "text/html; charset=utf-8"
	DOCXContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)

var page = template.Must(template.New("summary").Funcs(template.FuncMap{"chart": barChart}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", serif; max-width: 48em; margin: 2em auto; line-height: 1.9; font-size: 16pt; }
h1 { font-family: "SimSun", "Noto Serif CJK SC", serif; text-align: center; font-size: 22pt; }
h2 { font-family: "SimHei", "Noto Sans CJK SC", sans-serif; font-size: 16pt; }
p { text-indent: 2em; margin: 0.4em 0; }
figure { margin: 1em 0; page-break-inside: avoid; }
figcaption { text-align: center; font-size: 12pt; }
table.figures { border-collapse: collapse; font-size: 11pt; margin-top: 2em; width: 100%; }
table.figures td, table.figures th { border: 1px solid #999; padding: 2px 6px; text-align: left; }
@media print { body { margin: 0 auto; } .appendix { page-break-before: always; } }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Preamble}}</p>
{{range .Sections}}<h2>{{.Heading}}</h2>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{if eq .Number 2}}{{range $.Charts}}<figure>{{chart .}}<figcaption>{{.Title}}</figcaption></figure>
{{end}}{{end}}{{end}}
<div class="appendix">
<h2>附：数据来源</h2>
<table class="figures">
<tr><th>指标</th><th>数值</th><th>来源</th></tr>
{{range .Figures}}<tr><td>{{.Label}}</td><td>{{.Value}}</td><td>{{.Source}}</td></tr>
{{end}}</table>
</div>
</body>
</html>
`))

// WriteHTML renders s as a print-ready page: the five parts, the charts
// as inline SVG (the browser's CJK fonts draw the labels) and the figures
// with their sources as an appendix.
func WriteHTML(w io.Writer, s *Summary) error {
	if err := page.Execute(w, s); err != nil {
		return fmt.Errorf("render summary HTML: %w", err)
	}
	return nil
}

// barChart draws c as an SVG bar chart with a value over each bar.
func barChart(c Chart) template.HTML {
	const width, height, top, bottom, left = 640, 240, 20, 40, 10
	n := len(c.Points)
	if n == 0 {
		return ""
	}
	max := 1
	for _, p := range c.Points {
		if p.Value > max {
			max = p.Value
		}
	}
	slot := float64(width-2*left) / float64(n)
	bar := slot * 0.6
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s">`,
		width, height, template.HTMLEscapeString(c.Title))
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`, left, height-bottom, width-left, height-bottom)
	for i, p := range c.Points {
		h := float64(height-top-bottom) * float64(p.Value) / float64(max)
		x := float64(left) + slot*float64(i) + (slot-bar)/2
		y := float64(height-bottom) - h
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#c0392b"/>`, x, y, bar, h)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle">%d</text>`, x+bar/2, y-4, p.Value)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`, x+bar/2, height-bottom+16,
			template.HTMLEscapeString(p.Label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from escaped labels and numbers only
}

// WriteDOCX renders s as a Word document for the office to edit: title,
// preamble, the five parts, each chart as a table of its values, and the
// figures with their sources.
func WriteDOCX(w io.Writer, s *Summary) error {
	doc, err := godocx.NewDocument()
	if err != nil {
		return fmt.Errorf("new DOCX: %w", err)
	}
	defer doc.Close()
	if _, err := doc.AddHeading(s.Title, 0); err != nil {
		return fmt.Errorf("DOCX title: %w", err)
	}
	doc.AddParagraph(s.Preamble)
	for _, sec := range s.Sections {
		if _, err := doc.AddHeading(sec.Heading, 1); err != nil {
			return fmt.Errorf("DOCX heading: %w", err)
		}
		for _, p := range sec.Paragraphs {
			doc.AddParagraph(p)
		}
		if sec.Number != 2 {
			continue
		}
		for _, c := range s.Charts {
			doc.AddParagraph(c.Title)
			t := doc.AddTable()
			t.Style("TableGrid")
			labels, values := t.AddRow(), t.AddRow()
			for _, p := range c.Points {
				labels.AddCell().AddParagraph(p.Label)
				values.AddCell().AddParagraph(fmt.Sprint(p.Value))
			}
		}
	}
	if _, err := doc.AddHeading("附：数据来源", 1); err != nil {
		return fmt.Errorf("DOCX appendix: %w", err)
	}
	t := doc.AddTable()
	t.Style("TableGrid")
	head := t.AddRow()
	for _, h := range []string{"指标", "数值", "来源"} {
		head.AddCell().AddParagraph(h)
	}
	for _, f := range s.Figures {
		r := t.AddRow()
		r.AddCell().AddParagraph(f.Label)
		r.AddCell().AddParagraph(fmt.Sprint(f.Value))
		r.AddCell().AddParagraph(f.Source)
	}
	if err := doc.Write(w); err != nil {
		return fmt.Errorf("write DOCX: %w", err)
	}
	return nil
}
