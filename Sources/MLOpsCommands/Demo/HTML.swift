/// Just enough HTML for the demo's self-contained pages: escaping, tables, a shared style.
enum HTML {
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    static func table(headers: [String], rows: [[String]]) -> String {
        var html = "<table><thead><tr>"
        for header in headers { html += "<th>\(escape(header))</th>" }
        html += "</tr></thead><tbody>"
        for row in rows {
            html += "<tr>"
            for cell in row { html += "<td>\(escape(cell))</td>" }
            html += "</tr>"
        }
        return html + "</tbody></table>"
    }

    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>
        body { font: 15px/1.5 system-ui, sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #1d1d1f; }
        h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
        table { border-collapse: collapse; margin: .6em 0; } th, td { border: 1px solid #d2d2d7; padding: .3em .7em; text-align: left; }
        th { background: #f5f5f7; } code { background: #f5f5f7; padding: 0 .25em; border-radius: 3px; }
        .ok { color: #1a7f37; font-weight: 600; } .problem { color: #cf222e; font-weight: 600; }
        nav a { margin-right: 1em; }
        </style></head>
        <body>\(body)</body></html>
        """
    }
}
