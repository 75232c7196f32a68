package template

func (t *tmpl) expandSAM() error { return nil }
