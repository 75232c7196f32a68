package diagnose

import "time"

// now is the time requests are judged at (aws:CurrentTime); tests pin it.
var now = time.Now
