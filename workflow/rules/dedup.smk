# Rules of the dedup stage.
