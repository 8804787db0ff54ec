// Package graphiql serves the GraphiQL page and its scripts and styles from
// the binary: county networks are often cut off from the internet, so the
// page must not load anything from a CDN.
package graphiql

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// AssetsPath is the URL path under which the embedded assets are served.
const AssetsPath = "/graphiql/"

// The asset directories carry the npm package versions, so an upgrade changes
// every URL and the year-long browser cache never serves a stale file.
const (
	graphiqlJS  = "graphiql-4.1.2/graphiql.min.js"
	graphiqlCSS = "graphiql-4.1.2/graphiql.min.css"
	reactJS     = "react-18.2.0/react.production.min.js"
	reactDOMJS  = "react-dom-18.2.0/react-dom.production.min.js"
)

//go:embed assets
var embedded embed.FS

// assets is the embedded tree rooted at the asset directories.
var assets = func() fs.FS {
	sub, err := fs.Sub(embedded, "assets")
	if err != nil {
		panic(err) // the directory is embedded at compile time
	}
	return sub
}()

// contentTypes are the types of the files served; anything else (the
// licences) is plain text.
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

// Assets serves the embedded files under AssetsPath with long cache headers.
// Directories are not listed.
func Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, AssetsPath)
		if !fs.ValidPath(name) {
			http.NotFound(w, r)
			return
		}
		body, err := fs.ReadFile(assets, name)
		if err != nil { // missing, or a directory
			http.NotFound(w, r)
			return
		}
		contentType, ok := contentTypes[path.Ext(name)]
		if !ok {
			contentType = "text/plain; charset=utf-8"
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	})
}

var page = template.Must(template.New("graphiql").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{.Title}}</title>
  <style>
    body { margin: 0; }
    #graphiql { height: 100vh; }
    .loading { height: 100%; display: flex; align-items: center; justify-content: center; font-size: 4rem; }
  </style>
  <link rel="stylesheet" href="{{.Assets}}{{.CSS}}">
  <script src="{{.Assets}}{{.React}}"></script>
  <script src="{{.Assets}}{{.ReactDOM}}"></script>
</head>
<body>
  <div id="graphiql"><div class="loading">Loading…</div></div>
  <script src="{{.Assets}}{{.JS}}"></script>
  <script>
    const url = new URL({{.Endpoint}}, window.location.href).toString();
    // Subscriptions go over graphql-transport-ws on the same path; the
    // headers editor's JSON (with "Authorization": "Bearer …") is the
    // connection_init payload.
    const subscriptionUrl = url.replace(/^http/, 'ws');
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {
        fetcher: GraphiQL.createFetcher({ url, subscriptionUrl }),
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: true,
        inputValueDeprecation: true,
      }),
    );
  </script>
</body>
</html>
`))

// Page serves the GraphiQL page titled title, querying endpoint (a path on
// this server) and subscribing over a websocket to the same path, with the
// headers editor open for the bearer token.
func Page(title, endpoint string) http.Handler {
	var buf bytes.Buffer
	err := page.Execute(&buf, map[string]string{
		"Title": title, "Endpoint": endpoint, "Assets": AssetsPath,
		"CSS": graphiqlCSS, "JS": graphiqlJS, "React": reactJS, "ReactDOM": reactDOMJS,
	})
	if err != nil {
		panic(err) // a fixed template over fixed strings
	}
	html := buf.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(html)
	})
}
