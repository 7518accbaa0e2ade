# Rules of the extraction stage.
