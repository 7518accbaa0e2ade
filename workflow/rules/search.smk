# Rules of the search stage.
