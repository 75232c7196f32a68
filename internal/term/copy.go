package term

import "reflect"

// Copy returns a deep copy of v (a pointer to a struct, a struct, a slice,
// a map, or any mix of them) in which every string is passed through Line,
// or through Clean for a struct field tagged `term:"lines"` (multi-line
// text such as an IaC snippet). Renderers for people call it on their
// report before writing any of it, so that no value an account or a user
// supplied, whatever field it sits in, reaches the terminal raw.
// Unexported fields are copied as they are; v itself is not changed.
func Copy[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	out := cleanValue(rv, false, 0)
	return out.Interface().(T)
}

// maxDepth bounds the walk (a report has no cycles; this keeps one from
// looping).
const maxDepth = 64

func cleanValue(v reflect.Value, lines bool, depth int) reflect.Value {
	if depth > maxDepth {
		return v
	}
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		c := escape(s, lines)
		if c == s {
			return v
		}
		n := reflect.New(v.Type()).Elem()
		n.SetString(c)
		return n
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(cleanValue(v.Elem(), lines, depth+1))
		return n
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type()).Elem()
		n.Set(cleanValue(v.Elem(), lines, depth+1))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			n.Field(i).Set(cleanValue(v.Field(i), f.Tag.Get("term") == "lines", depth+1))
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(cleanValue(v.Index(i), lines, depth+1))
		}
		return n
	case reflect.Array:
		n := reflect.New(v.Type()).Elem()
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(cleanValue(v.Index(i), lines, depth+1))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			n.SetMapIndex(cleanValue(it.Key(), false, depth+1), cleanValue(it.Value(), lines, depth+1))
		}
		return n
	}
	return v
}
