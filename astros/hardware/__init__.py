"""Hardware AstrOS drives directly: GPIO pins (``gpio``). Each library sits behind one module."""
