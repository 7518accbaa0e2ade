# Rules of the import stage.
