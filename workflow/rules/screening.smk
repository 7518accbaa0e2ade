# Rules of the screening stage.
