//! Audio spectra: 1D power spectra of clips, the short-time Fourier transform and the mel
//! filterbank. (Filled in by the sound chapter's work.)
