package text

import "strings"

// StripTags replaces each HTML or XML tag (a '<', one or more characters
// other than '>', and a '>') by a space, exactly as scikit-learn's
// sklearn.feature_extraction.text.strip_tags does with the regular expression
// <([^>]+)>. Use it as a Preprocess hook: the IMDB reviews' "<br />" line
// breaks then separate words instead of adding the token "br". It does not
// decode entities such as "&amp;".
func StripTags(s string) string {
	i := strings.IndexByte(s, '<')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		j := strings.IndexByte(s[i+1:], '>')
		if j < 0 {
			break // no '>' after this '<', nor after any later one
		}
		if j == 0 { // "<>" is not a tag: keep the '<' and look further
			b.WriteString(s[:i+1])
			s = s[i+1:]
		} else {
			b.WriteString(s[:i])
			b.WriteByte(' ')
			s = s[i+1+j+1:]
		}
		i = strings.IndexByte(s, '<')
	}
	b.WriteString(s)
	return b.String()
}
