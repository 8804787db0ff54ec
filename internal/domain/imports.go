package domain

// ImportProblem is one bad cell or row of an import: where it is, the value
// found there and what is wrong with it.
type ImportProblem struct {
	Sheet string `json:"sheet"`
	// Row is the spreadsheet row (the header is row 1; 0 for the file).
	Row int `json:"row"`
	// Column is the header of the offending column ("" for the whole row).
	Column string `json:"column"`
	// Value is the cell's content as read ("" for the whole row).
	Value   string `json:"value"`
	Code    string `json:"code"`
	Message string `json:"message"`
}
