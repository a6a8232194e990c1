"""What two or more lessons share: runtime policy, data paths, vocabularies, PCA, beam search."""
